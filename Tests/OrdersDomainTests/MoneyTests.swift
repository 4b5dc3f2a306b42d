import Foundation
import OrdersDomain
import Testing

@Suite struct MoneyTests {
    let eur = try! Currency("EUR")
    let usd = try! Currency("USD")

    @Test func addsAndSubtractsInOneCurrency() throws {
        let a = Money(amountMinor: 1250, currency: eur)
        let b = Money(amountMinor: 399, currency: eur)
        #expect(try a.adding(b) == Money(amountMinor: 1649, currency: eur))
        #expect(try a.subtracting(b) == Money(amountMinor: 851, currency: eur))
        #expect(try a.multiplied(by: 3) == Money(amountMinor: 3750, currency: eur))
    }

    @Test func refusesToMixCurrencies() {
        let error = #expect(throws: DomainError.self) {
            try Money(amountMinor: 1, currency: eur).adding(Money(amountMinor: 1, currency: usd))
        }
        #expect(error?.code == .currencyMismatch)
    }

    @Test func reportsOverflowInsteadOfTrapping() {
        let huge = Money(amountMinor: .max - 1, currency: eur)
        #expect(throws: DomainError.self) { try huge.adding(Money(amountMinor: 2, currency: eur)) }
        #expect(throws: DomainError.self) { try huge.multiplied(by: 2) }
        #expect(throws: DomainError.self) { try Money(amountMinor: .min, currency: eur).subtracting(Money(amountMinor: 1, currency: eur)) }
    }

    @Test func describesAmountsInMajorUnitsPerCurrency() throws {
        #expect(Money(amountMinor: 1250, currency: eur).description == "12.50 EUR")
        #expect(Money(amountMinor: 5, currency: eur).description == "0.05 EUR")
        #expect(Money(amountMinor: -1250, currency: eur).description == "-12.50 EUR")
        #expect(Money(amountMinor: 1200, currency: try Currency("JPY")).description == "1200 JPY")
        #expect(Money(amountMinor: 1005, currency: try Currency("KWD")).description == "1.005 KWD")
    }

    @Test func validatesPrices() throws {
        #expect(throws: DomainError.self) { try Money(amountMinor: -1, currency: eur).validatedAsPrice(field: "price_minor") }
        #expect(throws: DomainError.self) {
            try Money(amountMinor: Money.maximumAmount + 1, currency: eur).validatedAsPrice(field: "price_minor")
        }
        #expect(try Money(amountMinor: 0, currency: eur).validatedAsPrice(field: "price_minor").amountMinor == 0)
    }

    @Test(arguments: ["eur", "EURO", "XXX", "", "€"])
    func rejectsUnknownCurrencyCodes(code: String) {
        let error = #expect(throws: DomainError.self) { try Currency(code) }
        #expect(error?.field == "currency")
    }

    @Test func encodesAsAmountAndCode() throws {
        let json = try JSONEncoder().encode(Money(amountMinor: 42, currency: eur))
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"amount_minor\":42"))
        #expect(text.contains("\"currency\":\"EUR\""))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Money.self, from: Data(#"{"amount_minor":1,"currency":"ZZZ"}"#.utf8))
        }
    }
}
