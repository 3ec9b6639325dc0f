import Experiment
import Foundation
import Messaging
import Protocol
import Sim
import ZeroMQ

/// The worker's side of stragglers and faults (docs/stragglers.md).
///
/// - Wall mode: each client's answer is held until `wall_scale ×` its virtual arrival time after the
///   task arrived (compute ÷ speed × slowdown + the task's injected delay + link both ways, the same
///   figures as the coordinator's clients.csv row), so the clients of one task arrive as if they had
///   run in parallel. Held answers wait in an `Outbox`; the serve loop keeps reading tasks meanwhile.
/// - Every task ends with an end-of-task marker: a heartbeat on the task socket whose sequence is the
///   round, sent after the task's last answer. A client the worker gave no answer (a `drop` fault) is
///   thereby known to be silent without any message naming it.
/// - `drop`: nothing is sent for the client. `corrupt`: a malformed message (the update's header with
///   half of its metadata, no payload) is sent in its place. `crash`: the process exits on receiving
///   the round's task. (`late` needs nothing here: its delay is in the task's injected delay.)
struct Outbox {
    struct Item {
        /// The round of the task the item answers.
        var round: RoundID
        var due: Double
        var sequence: Int
        var frames: [Frame]
    }

    var items: [Item] = []
    var nextSequence = 0

    /// Queues `frames` (an answer to `round`'s task) to go out at `due` (monotonic seconds), after
    /// anything queued before with the same due time.
    mutating func add(_ frames: [Frame], round: RoundID, due: Double) {
        items.append(Item(round: round, due: due, sequence: nextSequence, frames: frames))
        nextSequence += 1
    }

    /// The latest due time queued for `round`'s task, if any.
    func lastDue(round: RoundID) -> Double? { items.filter { $0.round == round }.map(\.due).max() }

    /// Removes and returns the items due by `now`, in (due, sequence) order.
    mutating func takeDue(now: Double) -> [Item] {
        let due = items.filter { $0.due <= now }.sorted { ($0.due, $0.sequence) < ($1.due, $1.sequence) }
        items.removeAll { $0.due <= now }
        return due
    }

    /// Milliseconds until the next item is due (nil when empty).
    func millisecondsUntilNext(now: Double) -> Int? {
        guard let next = items.map(\.due).min() else { return nil }
        return max(0, Int(((next - now) * 1000).rounded(.up)))
    }
}

extension WorkerProcess {
    /// Exits the process when a `crash` fault names this worker for `task`'s round: a real process death.
    func crashIfScheduled(_ task: Task, settings: RunSettings) {
        guard settings.crashes(worker: options.name, round: task.round) else { return }
        FileHandle.standardError.write(Data("worker \(options.name): crash fault in round \(task.round): exiting now\n".utf8))
        exit(75)
    }

    /// Sends (or holds, or withholds, or corrupts) one client's answer to `task`.
    func deliver(_ message: Message, _ clientTask: ClientTask, _ task: Task, received: Double, settings: RunSettings,
                 _ socket: borrowing Socket) throws {
        let client = clientTask.client
        if settings.isDropped(client: client, round: task.round) {
            FileHandle.standardError.write(Data("worker \(options.name): drop fault: no answer for client \(client) in round \(task.round)\n".utf8))
            return
        }
        let encoded = message.encoded()
        var due = MonotonicClock.seconds()
        if settings.isWallTime, case .update(let update) = message {
            let t = settings.clientTiming(round: task.round, client: client)
            let virtual = (t.computeSeconds(nominalSeconds: update.virtualComputeSeconds) + clientTask.extraDelaySeconds)
                + t.linkSeconds(bytesDown: task.perClientByteCount, bytesUp: update.encodedByteCount)
            due = max(due, received + virtual * settings.wallScale)
        }
        if settings.isCorrupted(client: client, round: task.round) {
            FileHandle.standardError.write(Data("worker \(options.name): corrupt fault: malformed answer for client \(client) in round \(task.round)\n".utf8))
            outbox.add([.bytes(encoded.header), .bytes(Array(encoded.metadata.prefix(encoded.metadata.count / 2)))],
                       round: task.round, due: due)
        } else if due <= MonotonicClock.seconds(), outbox.items.isEmpty {
            try sendWhole(encoded, socket)
            return
        } else {
            outbox.add(Self.frames(of: encoded), round: task.round, due: due)
        }
        try flushOutbox(socket)
    }

    /// Queues the end-of-task marker after every answer of `task`.
    func finishTask(_ task: Task, _ socket: borrowing Socket) throws {
        let marker = Message.heartbeat(Heartbeat(sequence: UInt64(task.round))).encoded()
        if let last = outbox.lastDue(round: task.round) {
            outbox.add(Self.frames(of: marker), round: task.round, due: last)
            try flushOutbox(socket)
        } else {
            try sendWhole(marker, socket)
        }
    }

    /// Sends every held message that is due.
    func flushOutbox(_ socket: borrowing Socket) throws {
        for item in outbox.takeDue(now: MonotonicClock.seconds()) {
            while try socket.send(item.frames) == .wouldBlock { Thread.sleep(forTimeInterval: 0.001) }
        }
    }

    /// How long the serve loop may wait for a message before a held answer is due (milliseconds).
    func waitBudget(_ fallback: Int) -> Int {
        min(fallback, outbox.millisecondsUntilNext(now: MonotonicClock.seconds()) ?? fallback)
    }

    private func sendWhole(_ message: EncodedMessage, _ socket: borrowing Socket) throws {
        while try socket.send(message).outcome == .wouldBlock { Thread.sleep(forTimeInterval: 0.001) }
    }

    /// The frames of an encoded message (payloads copied), for holding.
    static func frames(of message: EncodedMessage) -> [Frame] {
        var frames: [Frame] = [.bytes(message.header), .bytes(message.metadata)]
        for (index, count) in message.payloadByteCounts.enumerated() {
            let buffer = MessageBuffer(byteCount: count)
            message.writePayload(index, into: buffer.bytes)
            frames.append(.buffer(buffer))
        }
        return frames
    }
}
