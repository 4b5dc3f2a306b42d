import HTTPTypes
import Hummingbird
import NIOCore

/// HTML pages out, with headers that let a browser do no more than show them: nothing runs
/// (the pages use no script), nothing is loaded from elsewhere, no other site may frame them,
/// no content type is guessed, no referrer leaves (a page's query string names customers and
/// ranges), nothing is cached.
enum HTMLResponse {
    /// What the dashboard needs: its inline `<style>` and `style` attributes, inline SVG (which
    /// loads nothing), a form that submits to itself; images only for the browser's favicon.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy,
        HTTPField.Name("X-Frame-Options")!: "DENY",
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]

    static func make(_ html: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers.append(contentsOf: securityHeaders)
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
