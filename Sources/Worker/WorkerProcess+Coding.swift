import Experiment
import Foundation
import Messaging
import Protocol
import Sim
import ZeroMQ

extension WorkerProcess {
    /// Gradient coding (frc, crc): each client of `task` computes the gradient of every partition of
    /// its row of the run's code — derived from the settings, so the task carries nothing new — on the
    /// partition's shared minibatch of the round, and sends Σ coefficient·g_j as one dense vector
    /// (ClientComputation+Coding.swift). A client whose partitions' data cannot be had is answered
    /// with a `dataUnavailable` error.
    func runCodedTask(_ task: Task, _ socket: borrowing Socket, computation: ClientComputation,
                      store: ClientDataStore, settings: RunSettings, workspace: inout Network.Workspace) throws {
        guard let model = try taskModel(task, socket) else { return }
        for clientTask in task.clients {
            let client = clientTask.client
            let message: Message
            let row = settings.codedTask(client: client) ?? []
            switch Result(catching: { () throws(DataError) in try row.map { entry throws(DataError) in
                try store.clientData(entry.partition)
            } }) {
            case .success(let datasets) where !row.isEmpty:
                let start = MonotonicClock.seconds()
                let output = computation.runCoded(task: row, datasets: datasets, round: task.round, model: model,
                                                  workspace: &workspace)
                message = .update(Update(round: task.round, client: client, sampleCount: UInt32(output.sampleCount),
                                         trainLoss: output.trainLoss, wallComputeSeconds: MonotonicClock.seconds() - start,
                                         virtualComputeSeconds: output.virtualComputeSeconds,
                                         payload: .dense(output.vector)))
            case .success:
                message = .error(ErrorReport(code: .trainingFailed, round: task.round, client: client,
                                             detail: "client \(client) has no row in the run's gradient code"))
            case .failure(let error):
                message = .error(ErrorReport(code: .dataUnavailable, round: task.round, client: client,
                                             detail: "\(error)"))
            }
            try sendPatiently(message.encoded(), socket)
        }
    }
}
