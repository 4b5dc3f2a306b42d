import ArgumentParser
import Foundation

@main
struct Orders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "An order service built on CQRS: an SQLite event store on the write side, search indices on the read side.",
        discussion: """
            EXIT STATUS
              0    done
              1    the command ran and failed; the error is printed alone
                   (no such dead letter or key, a missing store, a port in use,
                   a read side that is unreachable or refuses)
              64   the arguments are wrong; the message names the flag
                   (a parse error also prints the usage)
              130  a reindex interrupted (Ctrl-C, SIGTERM); it resumes when run
                   again (`serve` and `project` stop on these signals as asked: 0;
                   other commands end as the signal ends them)
            """,
        version: "1.0.0",
        subcommands: [
            ServeCommand.self, SeedCommand.self, EventsCommand.self, ProjectCommand.self, SearchCommand.self, StatusCommand.self, ReindexCommand.self,
            DeadLettersCommand.self, KeysCommand.self, BackupCommand.self, RestoreCommand.self,
        ]
    )

    /// Parses as ArgumentParser does (a parse error prints the usage of the command it is about),
    /// then runs; what `run` throws is printed alone, with its exit status (`ExitStatus`).
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch {
            guard let failure = CommandFailure(error) else { exit(withError: error) }
            FileHandle.standardError.write(Data("\(failure.printed)\n".utf8))
            exit(withError: ExitCode(failure.status.rawValue))
        }
    }
}
