import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// Two ranks on two "hosts" over TCP: two network namespaces joined by a veth pair, mpirun
/// started in the first with `--host` naming both addresses, and a launch agent (in place of
/// ssh) that starts Open MPI's daemon in the second namespace with `ip netns exec`. The MPI
/// traffic is restricted to TCP on the veth subnet. The run ends with the weights of the same
/// run on two local ranks, bit for bit. Needs root and `ip` (iproute2); skipped otherwise.
@Suite("Data-parallel training across two network namespaces over TCP",
       .enabled(if: TwoHosts.unavailableReason == nil, "\(TwoHosts.unavailableReason ?? "")"))
struct TwoHostTrainingTests {
    @Test func twoHostsTrainLikeTwoLocalRanks() throws {
        let root = try FocalProcess.temporaryFolder("mpi-hosts")
        defer { try? FileManager.default.removeItem(at: root) }
        let hosts = try TwoHosts(folder: root)
        defer { hosts.remove() }

        let remote = root.appendingPathComponent("hosts")
        let local = try DistributedTrainingTests.reference.get().folder
        let overTCP = try FocalProcess.run(try DistributedTrainingTests.trainArguments(output: remote, batchSize: 1),
                                           launcher: hosts.launcher, extra: MPIRun.environment)
        try #require(overTCP.status == 0, "2 hosts failed: \(overTCP.error)")
        #expect(overTCP.output.contains("distributed: 2 ranks"))
        // The agent was asked to start the daemon on the second host.
        let agentLog = try String(contentsOf: hosts.agentLog, encoding: .utf8)
        #expect(agentLog.contains(TwoHosts.addresses[1]) && agentLog.contains("orted"), "agent log: \(agentLog)")
        let expected = try FocalProcess.checkpointBits(local), actual = try FocalProcess.checkpointBits(remote)
        #expect(!expected.isEmpty && expected == actual)
    }
}

/// Two network namespaces joined by a veth pair, each holding one "host" address, and the
/// mpirun command line that launches one rank in each.
struct TwoHosts {
    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let subnet = "10.231.0.0/24"
    static let addresses = ["10.231.0.1", "10.231.0.2"]

    /// Why the namespaces cannot be made here, or `nil`.
    static var unavailableReason: String? {
        if let reason = MPIRun.unavailableReason { return reason }
        guard getuid() == 0 else { return "network namespaces need root (this test makes two with ip netns and joins them by a veth pair)" }
        guard ip != nil else { return "ip (iproute2) not found: install it with scripts/setup.sh" }
        return nil
    }

    let namespaces: [String]
    let agent: URL
    let agentLog: URL

    /// Makes the namespaces (names unique to this process) and the launch agent in `folder`.
    init(folder: URL) throws {
        let tag = "\(getpid() % 100_000)"
        namespaces = ["focal-a\(tag)", "focal-b\(tag)"]
        let veth = ["fva\(tag)", "fvb\(tag)"]
        agent = folder.appendingPathComponent("netns-agent.sh")
        agentLog = folder.appendingPathComponent("agent.log")
        for ns in namespaces { try Self.run(["netns", "add", ns]) }
        try Self.run(["link", "add", veth[0], "type", "veth", "peer", "name", veth[1]])
        for k in 0..<2 {
            try Self.run(["link", "set", veth[k], "netns", namespaces[k]])
            try Self.run(["-n", namespaces[k], "addr", "add", Self.addresses[k] + "/24", "dev", veth[k]])
            try Self.run(["-n", namespaces[k], "link", "set", veth[k], "up"])
            try Self.run(["-n", namespaces[k], "link", "set", "lo", "up"])
        }
        // Open MPI starts its daemon on a remote host with `<agent> <host> <command>` (as with
        // ssh); this agent runs the command in that host's namespace instead.
        let script = """
            #!/bin/sh
            host=$1; shift
            echo "$host $*" >> '\(agentLog.path)'
            case "$host" in
              \(Self.addresses[0])) ns=\(namespaces[0]) ;;
              \(Self.addresses[1])) ns=\(namespaces[1]) ;;
              *) echo "netns-agent: unknown host $host" >&2; exit 1 ;;
            esac
            exec \(Self.ip!) netns exec "$ns" /bin/sh -c "$*"

            """
        try Data(script.utf8).write(to: agent)
        chmod(agent.path, 0o755)
    }

    /// mpirun inside the first namespace, one rank per host, TCP on the veth subnet only.
    var launcher: [String] {
        [Self.ip!, "netns", "exec", namespaces[0], MPIRun.path ?? "mpirun", "-np", "2",
         "--host", Self.addresses.joined(separator: ","), "--mca", "plm_rsh_agent", agent.path,
         "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", Self.subnet, "--mca", "oob_tcp_if_include", Self.subnet]
    }

    /// Deletes the namespaces (and with them the veth pair).
    func remove() {
        for ns in namespaces { try? Self.run(["netns", "delete", ns]) }
    }

    private static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ip!)
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        try process.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DatasetError.invalidOptions("ip \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
    }
}
