import ArgumentParser

/// The exit statuses of `orders`, documented in `orders --help`.
enum ExitStatus: Int32 {
    case success = 0
    /// The command ran and failed.
    case failure = 1
    /// The arguments are wrong (sysexits' `EX_USAGE`, as ArgumentParser exits on a parse error).
    case usage = 64
    /// Stopped by Ctrl-C or SIGTERM before it finished (128 + SIGINT, as shells report it).
    case interrupted = 130
}

/// Why a command stopped once it ran, printed alone (never with the usage) and exiting with
/// `status`. `run()` throws one, or a `ValidationError` for an argument refused at run time
/// (status 64), or any other error (printed by its description, status 1).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var status: ExitStatus = .failure

    /// An interruption is no error: it is printed without the `Error:` prefix.
    var printed: String { status == .interrupted ? description : "Error: \(description)" }

    init(_ description: String, status: ExitStatus = .failure) {
        self.description = description
        self.status = status
    }

    /// What `run()` threw, as a failure to print here; nil for what ArgumentParser prints
    /// itself (other errors print as `Error: <description>` with status 1, an `ExitCode` as it
    /// says).
    init?(_ error: any Error) {
        switch error {
        case let failure as CommandFailure: self = failure
        // Thrown by `run()`, not by parsing: about an argument, but not worth the whole usage.
        case let validation as ValidationError: self.init(validation.message, status: .usage)
        default: return nil
        }
    }
}
