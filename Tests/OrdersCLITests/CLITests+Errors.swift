import Foundation
import LoopbackHTTP
import Testing

/// Issue 22, item 6: how `orders` fails. Exit statuses: 0 done, 1 the command ran and failed,
/// 64 the arguments are wrong, 130 interrupted.
extension CLITests {
    @Test func versionPrintsAndHelpDocumentsTheExitStatuses() throws {
        try Self.withDirectory { directory in
            let version = try Self.run(["--version"], in: directory)
            #expect(version.status == 0, "\(version.stderr)")
            #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).wholeMatch(of: /\d+\.\d+\.\d+/) != nil, "\(version.stdout)")
            let help = try Self.run(["--help"], in: directory)
            #expect(help.status == 0)
            for status in ["0 ", "1 ", "64 ", "130 "] { #expect(help.stdout.contains("\n  \(status)"), "exit status \(status): \(help.stdout)") }
        }
    }

    /// A command whose arguments were fine but that failed prints the error alone (no usage) and
    /// exits 1; an argument refused at run time (a search's query) prints it alone and exits 64.
    @Test func runtimeErrorsPrintTheErrorAloneWithTheirStatus() throws {
        try Self.withDirectory { directory in
            let seed = try Self.run(["seed", "--customers", "2", "--products", "2", "--orders", "3", "--durability", "normal"], in: directory)
            #expect(seed.status == 0, "\(seed.stderr)")
            #expect(try Self.run(["project", "--once"], in: directory).status == 0)
            for (command, status, message) in [
                (["dead-letters", "discard", "42"], Int32(1), "no open dead letter #42"),
                (["keys", "revoke", "nobody"], 1, "no key named 'nobody'"),
                (["search", "--from", "2026-13-01"], 64, "--from: '2026-13-01' is not a calendar date"),
                (["search", "--sort", "sideways"], 64, "--sort: must be one of"),
            ] {
                let output = try Self.run(command, in: directory)
                #expect(output.status == status, "\(command): \(output.stderr)")
                #expect(output.stderr.hasPrefix("Error: \(message)"), "\(command): \(output.stderr)")
                #expect(!output.stderr.contains("Usage") && !output.stderr.contains("USAGE"), "\(command): \(output.stderr)")
                #expect(output.stderr.split(separator: "\n").count == 1, "\(command): one line: \(output.stderr)")
            }
        }
    }

    @Test func negativeCountsAreRefusedAsNotPositive() throws {
        try Self.withDirectory { directory in
            for flag in ["--orders", "--customers", "--products"] {
                let output = try Self.run(["seed", flag, "-5", "--db", "x/orders.sqlite"], in: directory)
                #expect(output.status == 64, "\(flag): \(output.stderr)")
                #expect(output.stderr.contains("\(flag) must be positive (or 0)") && output.stderr.contains("got -5"), "\(flag): \(output.stderr)")
            }
            let after = try Self.run(["events", "--after", "-1", "--db", "x/orders.sqlite"], in: directory)
            #expect(after.status == 64 && after.stderr.contains("--after must be 0 or more, got -1"), "\(after.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x").path), "nothing was created")
        }
    }

    /// `serve` on a port another process listens on stops before it logs "serving" or creates
    /// a file, and names the port.
    @Test func serveOnABusyPortFailsBeforeCreatingAnything() throws {
        let holder = try ListeningPort()
        let port = holder.port
        defer { withExtendedLifetime(holder) {} }
        try Self.withDirectory { directory in
            let output = try Self.run(["serve", "--port", "\(port)", "--db", "fresh/orders.sqlite"], in: directory)
            #expect(output.status == 1, "\(output.stderr)")
            #expect(output.stderr.contains("port \(port) is in use on 127.0.0.1"), "\(output.stderr)")
            #expect(!output.stderr.contains("serving"), "\(output.stderr)")
            #expect(!output.stderr.contains("Usage"), "\(output.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("fresh").path), "nothing was created")
        }
    }
}
