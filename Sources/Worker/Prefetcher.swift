import Foundation
import Sim
import Synchronization

/// Prepares, on a background thread, the data of the clients this worker will host, so that
/// generating a client's samples does not lengthen the round it is first picked in.
///
/// The coordinator's welcome names the worker's place (`index` of `count` live workers); the
/// worker will host the clients with `client mod count == index`. A new welcome (the set of
/// workers changed) cancels the running pass and starts another. The store is thread-safe.
final class Prefetcher: Sendable {
    private let store: ClientDataStore
    private let generation = Mutex(0)

    init(store: ClientDataStore) {
        self.store = store
    }

    /// Starts preparing the clients of place `index` among `count` workers.
    func prepare(index: Int, count: Int) {
        guard count > 0, index < count else { return }
        let mine = generation.withLock { g -> Int in g += 1; return g }
        let clients = Array(stride(from: index, to: store.clientCount, by: count))
        let thread = Thread { [self] in
            store.prefetch(clients) { generation.withLock { $0 } != mine }
        }
        thread.name = "prefetch"
        thread.start()
    }

    /// Stops any running pass (it ends after the client it is generating).
    func cancel() {
        generation.withLock { $0 += 1 }
    }
}
