// ScriptedCalls — a `ZMQCalls` that plays back scripted results instead of talking to peers.
//
// Each socket-level call pops the next step of its script (success when the script is empty);
// a failing step sets the errno that `lastErrno()` reports, as libzmq does. Successful sends
// behave like libzmq's: the part is recorded and the message content is taken over (closed and
// re-initialised), so zero-copy boxes are released exactly as the real library would.
// Message memory calls (zmq_msg_init/close/data/size) are the real libzmq functions.

import CZeroMQ
import Synchronization
import ZeroMQ

final class ScriptedCalls: ZMQCalls {
    enum Step: Sendable { case succeed, fail(Int32) }
    enum Incoming: Sendable { case part([UInt8], more: Bool), fail(Int32) }
    enum PollStep: Sendable { case readable, timeout, fail(Int32) }

    struct SentPart: Equatable, Sendable {
        var bytes: [UInt8]
        var more: Bool
        var dontWait: Bool
    }

    struct State: Sendable {
        var sendSteps: [Step] = []
        var receiveSteps: [Incoming] = []
        var pollSteps: [PollStep] = []
        var bindSteps: [Step] = []
        var errno: Int32 = 0
        var lastMore = false
        /// Parts libzmq accepted, in order.
        var sent: [SentPart] = []
        /// Every call made, by name ("send", "recv", "poll", "bind", "setsockopt(5)", …).
        var log: [String] = []
        /// The timeout passed to each zmq_poll call.
        var pollTimeouts: [Int] = []
        /// Options set, with their value bytes.
        var options: [(option: Int32, value: [UInt8])] = []
    }

    let state: Mutex<State>

    init(send: [Step] = [], receive: [Incoming] = [], poll: [PollStep] = [], bind: [Step] = []) {
        state = Mutex(State(sendSteps: send, receiveSteps: receive, pollSteps: poll, bindSteps: bind))
    }

    var sent: [SentPart] { state.withLock { $0.sent } }
    var log: [String] { state.withLock { $0.log } }
    var pollTimeouts: [Int] { state.withLock { $0.pollTimeouts } }
    var options: [(option: Int32, value: [UInt8])] { state.withLock { $0.options } }

    /// Handles that are never dereferenced: every call on them is scripted.
    private static var fakeContext: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: 0x1000)! }
    private static var fakeSocket: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: 0x2000)! }

    /// Logs `name` and pops the next step of `steps`; a failure sets errno and returns -1.
    private func run(_ name: String, _ steps: WritableKeyPath<State, [Step]>) -> Int32 {
        state.withLock { state in
            state.log.append(name)
            guard !state[keyPath: steps].isEmpty else { return 0 }
            switch state[keyPath: steps].removeFirst() {
            case .succeed: return 0
            case .fail(let code):
                state.errno = code
                return -1
            }
        }
    }

    func contextNew() -> UnsafeMutableRawPointer? { Self.fakeContext }
    func contextSet(_ context: UnsafeMutableRawPointer, _ option: Int32, _ value: Int32) -> Int32 { 0 }
    func contextShutdown(_ context: UnsafeMutableRawPointer) -> Int32 { 0 }
    func contextTerm(_ context: UnsafeMutableRawPointer) -> Int32 { 0 }
    func socket(_ context: UnsafeMutableRawPointer, _ type: Int32) -> UnsafeMutableRawPointer? {
        state.withLock { $0.log.append("socket") }
        return Self.fakeSocket
    }
    func close(_ socket: UnsafeMutableRawPointer) -> Int32 {
        state.withLock { $0.log.append("close") }
        return 0
    }
    func setOption(_ socket: UnsafeMutableRawPointer, _ option: Int32, _ value: UnsafeRawBufferPointer) -> Int32 {
        state.withLock {
            $0.log.append("setsockopt(\(option))")
            $0.options.append((option, [UInt8](value)))
        }
        return 0
    }
    func getOption(_ socket: UnsafeMutableRawPointer, _ option: Int32, _ value: UnsafeMutableRawPointer, _ length: UnsafeMutablePointer<Int>) -> Int32 {
        let endpoint = Array("tcp://127.0.0.1:40001".utf8) + [0]
        value.copyMemory(from: endpoint, byteCount: endpoint.count)
        length.pointee = endpoint.count
        return 0
    }
    func bind(_ socket: UnsafeMutableRawPointer, _ endpoint: String) -> Int32 { run("bind", \.bindSteps) }
    func connect(_ socket: UnsafeMutableRawPointer, _ endpoint: String) -> Int32 { run("connect", \.bindSteps) }

    func messageSend(_ message: UnsafeMutablePointer<zmq_msg_t>, _ socket: UnsafeMutableRawPointer, _ flags: Int32) -> Int32 {
        guard run("send", \.sendSteps) == 0 else { return -1 }
        let size = zmq_msg_size(message)
        let bytes = size == 0 ? [] : [UInt8](UnsafeRawBufferPointer(start: zmq_msg_data(message), count: size))
        state.withLock {
            $0.sent.append(SentPart(bytes: bytes, more: flags & ZMQ_SNDMORE != 0, dontWait: flags & ZMQ_DONTWAIT != 0))
        }
        // Like libzmq: the content is ours now, the caller's message becomes empty.
        zmq_msg_close(message)
        zmq_msg_init(message)
        return Int32(size)
    }

    func messageReceive(_ message: UnsafeMutablePointer<zmq_msg_t>, _ socket: UnsafeMutableRawPointer, _ flags: Int32) -> Int32 {
        let step: Incoming? = state.withLock { state in
            state.log.append("recv")
            return state.receiveSteps.isEmpty ? nil : state.receiveSteps.removeFirst()
        }
        switch step {
        case nil:
            state.withLock { $0.errno = EAGAIN }
            return -1
        case .fail(let code):
            state.withLock { $0.errno = code }
            return -1
        case .part(let bytes, let more):
            zmq_msg_close(message)
            zmq_msg_init_size(message, bytes.count)
            if !bytes.isEmpty {
                bytes.withUnsafeBytes { zmq_msg_data(message).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
            state.withLock { $0.lastMore = more }
            return Int32(bytes.count)
        }
    }

    func messageMore(_ message: UnsafeMutablePointer<zmq_msg_t>) -> Bool { state.withLock { $0.lastMore } }

    func poll(_ items: UnsafeMutablePointer<zmq_pollitem_t>, _ count: Int32, _ timeoutMilliseconds: Int) -> Int32 {
        let step: PollStep = state.withLock { state in
            state.log.append("poll")
            state.pollTimeouts.append(timeoutMilliseconds)
            return state.pollSteps.isEmpty ? .timeout : state.pollSteps.removeFirst()
        }
        switch step {
        case .readable:
            items[0].revents = items[0].events
            return 1
        case .timeout:
            return 0
        case .fail(let code):
            state.withLock { $0.errno = code }
            return -1
        }
    }

    func lastErrno() -> Int32 { state.withLock { $0.errno } }
}
