import Foundation
import OrdersSearch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How text that came from users is printed for a person: never a control character (an order
/// whose customer name holds an escape sequence must not recolour, retitle or clear the
/// terminal), and a search's matches in bold when standard output is a terminal that wants
/// styles.
struct TerminalText {
    /// Matches in ANSI bold; otherwise plain text.
    var emphasis: Bool

    static let boldOn = "\u{1B}[1m"
    static let boldOff = "\u{1B}[22m"

    /// Bold when standard output is a terminal, unless `NO_COLOR` is set (https://no-color.org)
    /// or `TERM` is `dumb`.
    static func standardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalText {
        let wanted = environment["NO_COLOR", default: ""].isEmpty && environment["TERM"] != "dumb"
        return TerminalText(emphasis: wanted && isatty(STDOUT_FILENO) == 1)
    }

    /// `text` with each control character shown, not obeyed: C0 ones and DEL as their Unicode
    /// control pictures (ESC as ␛), C1 ones as U+FFFD.
    static func neutralised(_ text: some StringProtocol) -> String {
        var shown = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00...0x1F: shown.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F: shown.append("\u{2421}")
            case 0x80...0x9F: shown.append("\u{FFFD}")
            default: shown.append(scalar)
            }
        }
        return String(shown)
    }

    /// A highlight fragment (HTML: the text escaped, each match between `<em>` and `</em>`) as
    /// terminal text: the tags become bold or go, the text is unescaped and neutralised. The
    /// tags are found before unescaping, so a text that holds `<em>` stays text.
    func highlight(_ fragment: String) -> String {
        var shown = ""
        for (number, part) in fragment.components(separatedBy: HighlightText.preTag).enumerated() {
            guard number > 0, let end = part.range(of: HighlightText.postTag) else {
                shown += Self.text(part)
                continue
            }
            let match = Self.text(part[..<end.lowerBound])
            shown += emphasis ? Self.boldOn + match + Self.boldOff : match
            shown += Self.text(part[end.upperBound...])
        }
        return shown
    }

    private static func text(_ html: some StringProtocol) -> String { neutralised(HighlightText.plain(String(html))) }
}
