import Coordinator
import Foundation
import Testing

/// A fresh, empty directory under the system temporary directory (never shared between tests).
func makeTemporaryDirectory(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "/gradwire-coordinator-tests-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func contents(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

@Suite struct RunDirectoryTests {
    @Test func createsTheDirectoryAndItsLogsFolder() throws {
        let base = try makeTemporaryDirectory("create")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let path = base + "/runs/quick-1"
        let directory = try RunDirectory(path: path)
        #expect(directory.path == path)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path + "/logs", isDirectory: &isDirectory)
        #expect(exists && isDirectory.boolValue)
        // Opening an existing run directory is fine too.
        _ = try RunDirectory(path: path)
    }

    @Test func appendCreatesTheFileAndAddsWholeLines() throws {
        let base = try makeTemporaryDirectory("append")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let directory = try RunDirectory(path: base)
        try directory.append("rounds.jsonl", line: #"{"round":1}"#)
        #expect(contents(base + "/rounds.jsonl") == "{\"round\":1}\n")
        try directory.append("rounds.jsonl", line: #"{"round":2}"#)
        try directory.append("logs/coordinator.log", line: "hello")
        #expect(contents(base + "/rounds.jsonl") == "{\"round\":1}\n{\"round\":2}\n")
        #expect(contents(base + "/logs/coordinator.log") == "hello\n")
    }

    @Test func appendAfterCloseOrInANewInstanceContinuesTheFile() throws {
        let base = try makeTemporaryDirectory("reopen")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let directory = try RunDirectory(path: base)
        try directory.append("events.jsonl", line: "a")
        directory.close()
        try directory.append("events.jsonl", line: "b")
        try RunDirectory(path: base).append("events.jsonl", line: "c")
        #expect(contents(base + "/events.jsonl") == "a\nb\nc\n")
    }

    @Test func writeReplacesTheFile() throws {
        let base = try makeTemporaryDirectory("write")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let directory = try RunDirectory(path: base)
        try directory.write("summary.json", "{\"rounds\": 1}\n")
        try directory.write("summary.json", "{}\n")
        #expect(contents(base + "/summary.json") == "{}\n")
        try directory.write("model.bin", bytes: [1, 2, 3, 255])
        try directory.write("model.bin", bytes: [9])
        #expect(FileManager.default.contents(atPath: base + "/model.bin") == Data([9]))
    }

    /// `write` replaces a file; lines appended afterwards belong to the new file.
    ///
    /// Fails with the current code: `append` caches a FileHandle per name, and `write` replaces the
    /// file atomically (a new inode) without dropping that handle, so later appends go to the
    /// unlinked old file and are lost.
    @Test func appendAfterWriteGoesToTheNewFile() throws {
        let base = try makeTemporaryDirectory("append-after-write")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let directory = try RunDirectory(path: base)
        try directory.append("clients.csv", line: "old row")
        try directory.write("clients.csv", "round,client\n")
        try directory.append("clients.csv", line: "1,0")
        #expect(contents(base + "/clients.csv") == "round,client\n1,0\n")
    }

    @Test func uncreatablePathGivesAnErrorNamingThePath() throws {
        let base = try makeTemporaryDirectory("blocked")
        defer { try? FileManager.default.removeItem(atPath: base) }
        // A regular file where a directory should go: fails even for root.
        let blocker = base + "/not-a-directory"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        let path = blocker + "/run"
        do throws(RunDirectoryError) {
            _ = try RunDirectory(path: path)
            Issue.record("expected RunDirectoryError.cannotCreate")
        } catch {
            guard case .cannotCreate(let reported, _) = error else {
                Issue.record("expected cannotCreate, got \(error)")
                return
            }
            #expect(reported == path)
            #expect(error.description.contains(path))
        }
    }

    @Test func unwritableFileGivesAnErrorNamingTheFile() throws {
        let base = try makeTemporaryDirectory("unwritable")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let directory = try RunDirectory(path: base)
        for attempt in ["write", "bytes", "append"] {
            let name = "missing-folder/file.txt"
            do throws(RunDirectoryError) {
                switch attempt {
                case "write": try directory.write(name, "x")
                case "bytes": try directory.write(name, bytes: [1])
                default: try directory.append(name, line: "x")
                }
                Issue.record("\(attempt): expected RunDirectoryError.cannotWrite")
            } catch {
                guard case .cannotWrite(let reported, _) = error else {
                    Issue.record("\(attempt): expected cannotWrite, got \(error)")
                    continue
                }
                #expect(reported == base + "/" + name, "\(attempt)")
                #expect(error.description.contains(base + "/" + name), "\(attempt)")
            }
        }
    }
}
