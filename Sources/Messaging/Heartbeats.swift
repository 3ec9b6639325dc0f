import Foundation
import Protocol
import Synchronization
import ZeroMQ

/// Sends a `heartbeat` every `interval` seconds on a socket of its own, from a thread of its own,
/// so that a worker busy training many clients still shows the coordinator it is alive.
///
/// The socket is a DEALER whose routing id is the worker's name followed by `heartbeatSuffix`;
/// the coordinator maps it back to the worker. The thread creates, uses and closes its socket
/// (sockets never cross threads); `stop()` sets a flag the loop checks every interval.
public final class HeartbeatSender: Sendable {
    /// Appended to a worker's routing id to name its heartbeat socket.
    public static let heartbeatSuffix: [UInt8] = Array("~hb".utf8)

    private let stopFlag = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the heartbeat thread at once.
    public init(context: Context, endpoint: String, workerName: String, interval: Double) {
        let routingID = Array(workerName.utf8) + Self.heartbeatSuffix
        let thread = Thread { [self] in
            defer { finished.signal() }
            var options = SocketOptions()
            options.routingID = routingID
            options.sendHighWaterMark = 4
            guard let socket = try? Socket(context, .dealer, options: options),
                  (try? socket.connect(endpoint)) != nil else { return }
            var sequence: UInt64 = 0
            while !isStopping {
                sequence += 1
                let message = Message.heartbeat(Heartbeat(sequence: sequence)).encoded()
                do {
                    _ = try socket.send(message)
                } catch {
                    return  // context terminated: the process is shutting down
                }
                Thread.sleep(forTimeInterval: interval)
            }
        }
        thread.name = "heartbeat"
        thread.start()
    }

    private var isStopping: Bool { stopFlag.withLock { $0 } }

    /// Stops the thread and waits until its socket is closed.
    public func stop() {
        let already = stopFlag.withLock { flag -> Bool in defer { flag = true }; return flag }
        if !already { finished.wait() }
    }
}
