import Foundation
import Testing

/// End-to-end stragglers and faults: real coordinator and worker processes over real sockets.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct StragglerClusterTests {
    /// Digits, logistic regression, 20 clients, 8 per round, slow heterogeneous devices.
    static func experiment(rounds: Int = 8, timing: String = "", extra: String = "") -> String {
        """
        [run]
        name = "stragglers"
        seed = 42
        rounds = \(rounds)
        heartbeat_timeout_s = 3
        [data]
        source = "digits"
        [partition]
        scheme = "iid"
        clients = 20
        [model]
        kind = "logreg"
        [local]
        lr = 0.1
        batch_size = 10
        epochs = 1
        [participation]
        clients_per_round = 8
        [timing]
        compute_flops_per_s = 1e6
        speed = { dist = "lognormal", mu = 0.0, sigma = 1.0 }
        \(timing)
        [eval]
        every = 4
        \(extra)
        """
    }

    static func events(_ run: String) throws -> [[String: Any]] {
        try Cluster.jsonLines(run + "/events.jsonl")
    }

    @Test func virtualDeadlineMarksStragglersAndIsTheSameForOneAndTwoWorkers() throws {
        let dir = try Cluster.temporaryDirectory()
        let deadline = 1.0
        let toml = Self.experiment(timing: "policy = \"deadline\"\ndeadline_s = \(deadline)")
        let one = try Cluster.launch(toml, in: dir, out: "one", workers: 1)
        let two = try Cluster.launch(toml, in: dir, out: "two", workers: 2)
        #expect(try Cluster.deterministicRounds(one) == Cluster.deterministicRounds(two))
        let s1 = try Cluster.json(one + "/summary.json"), s2 = try Cluster.json(two + "/summary.json")
        #expect(s1["final_model_fnv1a64"] as? String == s2["final_model_fnv1a64"] as? String)

        let rows = try Cluster.csvRows(one + "/clients.csv")
        #expect(rows.count == 8 * 8)
        let stragglers = rows.filter { $0["status"] == "straggler" }
        let kept = rows.filter { $0["status"] == "ok" }
        #expect(!stragglers.isEmpty && !kept.isEmpty, "a σ = 1 speed spread gives both")
        func arrival(_ row: [String: String]) -> Double { Double(row["compute_s"]!)! + Double(row["link_s"]!)! }
        #expect(stragglers.allSatisfy { arrival($0) > deadline && $0["weight"] == "0.0" })
        #expect(kept.allSatisfy { arrival($0) <= deadline })
        let rounds = try Cluster.jsonLines(one + "/rounds.jsonl")
        for round in rounds {
            let late = rows.filter { $0["round"] == "\(round["round"]!)" && $0["status"] == "straggler" }.count
            #expect(round["stragglers"] as? Int == late)
            #expect(round["round_virtual_s"] as? Double == (late > 0 ? deadline : round["round_virtual_s"] as? Double))
            #expect((round["round_virtual_s"] as? Double ?? 99) <= deadline)
        }
        #expect(s1["stragglers"] as? Int == stragglers.count)
        #expect(try Self.events(one).contains { $0["event"] as? String == "client_straggler" })

        // Wait-all on the same seed: nobody is late and rounds last as long as their slowest client.
        let all = try Cluster.launch(Self.experiment(), in: dir, out: "all", workers: 1)
        let allRows = try Cluster.csvRows(all + "/clients.csv")
        #expect(allRows.allSatisfy { $0["status"] == "ok" })
        let allSummary = try Cluster.json(all + "/summary.json")
        #expect((allSummary["virtual_time_s"] as! Double) > (s1["virtual_time_s"] as! Double))
        // Wait-all is the behaviour from before policies: a round lasts its slowest client's compute_s + link_s.
        for round in try Cluster.jsonLines(all + "/rounds.jsonl") {
            let slowest = allRows.filter { $0["round"] == "\(round["round"]!)" }.map(arrival).max()!
            #expect(abs((round["round_virtual_s"] as! Double) - slowest) <= 1e-12 * slowest)
        }
    }

    @Test func overcommitKeepsTheFirstKAndATraceKeepsUnavailableClientsOut() throws {
        let dir = try Cluster.temporaryDirectory()
        // Clients 2 and 7 are unavailable in rounds 3–4 (the trace); over-commitment
        // samples ⌈1.25·8⌉ = 10 clients and keeps the first 8 arrivals.
        try """
            # client 2 and 7 away in rounds 3 and 4
            client,start_round,end_round,available
            2,3,4,0
            7,3,4,false
            """.write(toFile: dir + "/trace.csv", atomically: true, encoding: .utf8)
        let toml = Self.experiment(rounds: 6, timing: "policy = \"overcommit\"\novercommit = 1.25\ntrace = \"trace.csv\"")
        let run = try Cluster.launch(toml, in: dir, out: "over", workers: 2)
        let rows = try Cluster.csvRows(run + "/clients.csv")
        let rounds = try Cluster.jsonLines(run + "/rounds.jsonl")
        for round in rounds {
            let r = "\(round["round"]!)"
            let mine = rows.filter { $0["round"] == r }
            #expect(mine.count == 10 && round["selected"] as? Int == 10)
            let away = mine.filter { $0["status"] == "dropped" }
            #expect(away.allSatisfy { ["2", "7"].contains($0["client"]!) && ["3", "4"].contains(r) && $0["bytes_down"] == "0" })
            let ok = mine.filter { $0["status"] == "ok" }
            #expect(ok.count == min(8, 10 - away.count))
            #expect(round["stragglers"] as? Int == 10 - away.count - ok.count)
            // The kept ones are the earliest arrivals; the round closes at the 8th (or the last) arrival.
            func arrival(_ row: [String: String]) -> Double { Double(row["compute_s"]!)! + Double(row["link_s"]!)! }
            let late = mine.filter { $0["status"] == "straggler" }
            #expect(late.allSatisfy { l in ok.allSatisfy { arrival($0) <= arrival(l) } })
            let close = try #require(round["round_virtual_s"] as? Double), kth = try #require(ok.map(arrival).max())
            #expect(abs(close - kth) <= 1e-12 * kth, "JSONSerialization can be an ulp off")
        }
        #expect(rows.contains { $0["status"] == "dropped" })
        let events = try Self.events(run)
        #expect(events.filter { $0["event"] as? String == "client_unavailable" }.count == rows.filter { $0["status"] == "dropped" }.count)
    }

    @Test func wallModeDeadlineEndsTheRoundWithoutTheSleepingClient() throws {
        let dir = try Cluster.temporaryDirectory()
        // wall_scale 0.25: the deadline of 2 virtual s is 0.5 s of wall time. Client 4 replies 400
        // virtual s late in round 2 (its worker holds the update 100 s); client 3 replies 3 virtual s
        // late in round 1 (held ≥ 0.75 s, so it arrives while a later round is running).
        let toml = Self.experiment(rounds: 5, timing: """
            policy = "deadline"
            deadline_s = 2.0
            wall_scale = 0.25
            """, extra: """
            [[faults]]
            kind = "late"
            client = 3
            round = 1
            delay_s = 3.0
            [[faults]]
            kind = "late"
            client = 4
            round = 2
            delay_s = 400.0
            """).replacingOccurrences(of: "rounds = 5\n", with: "rounds = 5\ntime = \"wall\"\n")
            .replacingOccurrences(of: "clients_per_round = 8", with: "process = \"full\"")
        let started = Date()
        let run = try Cluster.launch(toml, in: dir, out: "wall", workers: 2)
        #expect(Date().timeIntervalSince(started) < 60, "the run did not wait for the 100 s sleep")
        let rows = try Cluster.csvRows(run + "/clients.csv")
        #expect(rows.first { $0["round"] == "1" && $0["client"] == "3" }?["status"] == "straggler")
        #expect(rows.first { $0["round"] == "2" && $0["client"] == "4" }?["status"] == "straggler")
        #expect(rows.filter { $0["status"] == "ok" }.count > rows.count / 2, "most clients make the deadline")
        let rounds = try Cluster.jsonLines(run + "/rounds.jsonl")
        #expect(rounds.count == 5)
        // Round 2 ended at its deadline (0.5 s), not after the 100 s sleep (generous bounds).
        let wallRound2 = try #require(rounds[1]["wall_round_s"] as? Double)
        #expect(wallRound2 >= 0.45 && wallRound2 < 10, "round 2 took \(wallRound2) s of wall time")
        #expect((rounds[1]["stragglers"] as? Int ?? 0) >= 1)
        #expect(rounds[1]["round_virtual_s"] as? Double == 2.0)
        let events = try Self.events(run)
        #expect(events.contains { $0["event"] as? String == "fault_injected" && $0["client"] as? Int == 4 })
        #expect(events.contains { $0["event"] as? String == "client_straggler" && $0["client"] as? Int == 4 })
        // Client 3's held round-1 update arrived after its round had closed: ignored and recorded.
        #expect(events.contains { $0["event"] as? String == "update_ignored" && $0["client"] as? Int == 3 },
                "\(events.map { $0["event"] as? String ?? "" })")
    }

    @Test func aCrashedWorkerProcessIsLostTheRunCompletesAndItRejoins() throws {
        let dir = try Cluster.temporaryDirectory()
        let toml = Self.experiment(rounds: 7, extra: """
            [[faults]]
            kind = "crash"
            worker = 1
            round = 3
            [[faults]]
            kind = "rejoin"
            worker = 1
            round = 5
            """)
        let run = try Cluster.launch(toml, in: dir, out: "crash", workers: 2)
        let summary = try Cluster.json(run + "/summary.json")
        #expect(summary["rounds"] as? Int == 7)
        let rows = try Cluster.csvRows(run + "/clients.csv")
        #expect(rows.contains { $0["round"] == "3" && $0["status"] == "crashed" && $0["worker"] == "w1" })
        #expect(rows.filter { $0["round"] == "4" }.allSatisfy { $0["worker"] == "w0" && $0["status"] == "ok" })
        let events = try Self.events(run)
        #expect(events.contains { $0["event"] as? String == "worker_lost" && $0["worker"] as? String == "w1" })
        #expect(events.contains { $0["event"] as? String == "worker_rejoined" && $0["worker"] as? String == "w1" })
        #expect(rows.contains { Int($0["round"]!)! >= 6 && $0["worker"] == "w1" && $0["status"] == "ok" },
                "the restarted w1 hosts clients again")
    }

    @Test func corruptAndDropFaultsAreRejectedAndDroppedAndTheRunContinues() throws {
        let dir = try Cluster.temporaryDirectory()
        let toml = Self.experiment(rounds: 4, extra: """
            [[faults]]
            kind = "corrupt"
            client = 5
            round = 2
            [[faults]]
            kind = "drop"
            client = 6
            round = 2
            """).replacingOccurrences(of: "clients_per_round = 8", with: "process = \"full\"")
        let run = try Cluster.launch(toml, in: dir, out: "faults", workers: 2)
        let rows = try Cluster.csvRows(run + "/clients.csv")
        #expect(rows.count == 4 * 20)
        #expect(rows.first { $0["round"] == "2" && $0["client"] == "5" }?["status"] == "rejected")
        #expect(rows.first { $0["round"] == "2" && $0["client"] == "6" }?["status"] == "dropped")
        #expect(rows.filter { $0["round"] != "2" }.allSatisfy { $0["status"] == "ok" })
        let rounds = try Cluster.jsonLines(run + "/rounds.jsonl")
        #expect(rounds[1]["rejected"] as? Int == 1 && rounds[1]["dropped"] as? Int == 1 && rounds[1]["completed"] as? Int == 18)
        let events = try Self.events(run)
        #expect(events.contains { $0["event"] as? String == "message_rejected" })
        #expect(events.contains { $0["event"] as? String == "client_dropped" && $0["client"] as? Int == 6 })
        #expect(try Cluster.json(run + "/summary.json")["rounds"] as? Int == 4)
    }
}
