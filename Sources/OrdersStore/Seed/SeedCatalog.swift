/// Realistic names, places and products for seeding: several scripts, accents, currencies.
enum SeedCatalog {
    struct Region {
        /// (display, ASCII for the email address)
        var firstNames: [(String, String)]
        var lastNames: [(String, String)]
        /// Family name first (Japanese, Chinese).
        var familyFirst = false
        var cities: [String]
        var country: String
        var currency: String
        var emailDomain: String
    }

    static let regions: [Region] = [
        Region(
            firstNames: [("Zoë", "zoe"), ("Jürgen", "juergen"), ("Anna", "anna"), ("Lena", "lena"), ("Matthias", "matthias"), ("Björn", "bjoern")],
            lastNames: [("Müller", "mueller"), ("Schröder", "schroeder"), ("Weiß", "weiss"), ("Groß", "gross"), ("Köhler", "koehler")],
            cities: ["München", "Köln", "Düsseldorf", "Berlin", "Nürnberg"], country: "DE", currency: "EUR", emailDomain: "example.de"
        ),
        Region(
            firstNames: [("José", "jose"), ("María", "maria"), ("Iñigo", "inigo"), ("Begoña", "begona"), ("Raúl", "raul")],
            lastNames: [("Núñez", "nunez"), ("Peña", "pena"), ("García", "garcia"), ("Ibáñez", "ibanez"), ("Muñoz", "munoz")],
            cities: ["Málaga", "Córdoba", "A Coruña", "León", "Cádiz"], country: "ES", currency: "EUR", emailDomain: "example.es"
        ),
        Region(
            firstNames: [("Łukasz", "lukasz"), ("Zofia", "zofia"), ("Wojciech", "wojciech"), ("Małgorzata", "malgorzata")],
            lastNames: [("Wójcik", "wojcik"), ("Kowalczyk", "kowalczyk"), ("Żak", "zak"), ("Gąsiorowski", "gasiorowski")],
            cities: ["Kraków", "Łódź", "Gdańsk", "Poznań", "Wrocław"], country: "PL", currency: "PLN", emailDomain: "example.pl"
        ),
        Region(
            firstNames: [("Søren", "soren"), ("Åsa", "asa"), ("Mikael", "mikael"), ("Ingrid", "ingrid"), ("Ægir", "aegir")],
            lastNames: [("Østergård", "ostergard"), ("Lindström", "lindstrom"), ("Åkesson", "akesson"), ("Sjöberg", "sjoberg")],
            cities: ["Malmö", "Göteborg", "Umeå", "Västerås"], country: "SE", currency: "SEK", emailDomain: "example.se"
        ),
        Region(
            firstNames: [("Chloé", "chloe"), ("François", "francois"), ("Hélène", "helene"), ("Noël", "noel"), ("Anaïs", "anais")],
            lastNames: [("Lefèvre", "lefevre"), ("Gaëtan", "gaetan"), ("Bérénger", "berenger"), ("Dupré", "dupre")],
            cities: ["Besançon", "Orléans", "Nîmes", "Saint-Étienne"], country: "FR", currency: "EUR", emailDomain: "example.fr"
        ),
        Region(
            firstNames: [("太郎", "taro"), ("花子", "hanako"), ("翔", "sho"), ("美咲", "misaki")],
            lastNames: [("山田", "yamada"), ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi")], familyFirst: true,
            cities: ["東京", "大阪", "京都", "札幌"], country: "JP", currency: "JPY", emailDomain: "example.jp"
        ),
        Region(
            firstNames: [("Иван", "ivan"), ("Ольга", "olga"), ("Дмитрий", "dmitry"), ("Наталья", "natalya")],
            lastNames: [("Петров", "petrov"), ("Смирнова", "smirnova"), ("Кузнецов", "kuznetsov"), ("Соколова", "sokolova")],
            cities: ["Алматы", "Астана", "Шымкент"], country: "KZ", currency: "USD", emailDomain: "example.kz"
        ),
        Region(
            firstNames: [("محمد", "mohammed"), ("فاطمة", "fatima"), ("علي", "ali"), ("ليلى", "layla")],
            lastNames: [("العلي", "alali"), ("الحسن", "alhassan"), ("منصور", "mansour")],
            cities: ["دبي", "أبوظبي", "الشارقة"], country: "AE", currency: "AED", emailDomain: "example.ae"
        ),
        Region(
            firstNames: [("Αλέξανδρος", "alexandros"), ("Ελένη", "eleni"), ("Γιώργος", "giorgos")],
            lastNames: [("Παπαδόπουλος", "papadopoulos"), ("Οικονόμου", "oikonomou")],
            cities: ["Αθήνα", "Θεσσαλονίκη", "Πάτρα"], country: "GR", currency: "EUR", emailDomain: "example.gr"
        ),
        Region(
            firstNames: [("伟", "wei"), ("娜", "na"), ("静", "jing")],
            lastNames: [("王", "wang"), ("李", "li"), ("张", "zhang")], familyFirst: true,
            cities: ["上海", "北京", "深圳"], country: "CN", currency: "CNY", emailDomain: "example.cn"
        ),
        Region(
            firstNames: [("Emily", "emily"), ("Oliver", "oliver"), ("Siobhán", "siobhan"), ("Seán", "sean")],
            lastNames: [("O'Brien", "obrien"), ("Smith", "smith"), ("Ní Bhriain", "nibhriain"), ("Taylor", "taylor")],
            cities: ["London", "Manchester", "Edinburgh", "Cardiff"], country: "GB", currency: "GBP", emailDomain: "example.co.uk"
        ),
        Region(
            firstNames: [("Avery", "avery"), ("Jordan", "jordan"), ("Dakota", "dakota"), ("Renée", "renee")],
            lastNames: [("Johnson", "johnson"), ("Nguyễn", "nguyen"), ("Martínez", "martinez"), ("Lee", "lee")],
            cities: ["San José", "Albuquerque", "New York", "Honolulu"], country: "US", currency: "USD", emailDomain: "example.com"
        ),
    ]

    static let productAdjectives = [
        "Café Crème", "Crème Brûlée", "Smørrebrød", "Jalapeño", "Edelweiß", "Tōkyō", "Piñata", "Ægir", "Fjällräven-style", "Provençal",
        "Bavarian", "Kyoto Matcha 抹茶", "Çay", "Hand-thrown", "Organic", "Classic", "Deluxe", "Mini",
    ]
    static let productNouns = [
        "Espresso Beans", "Torch", "Serving Board", "Hot Sauce", "Soap", "Tea Set", "Wool Blanket", "Backpack", "Olive Oil", "Pretzel Mix",
        "Whisk", "Glass Set", "Mug", "Candle", "Notebook", "Scarf", "Honey", "Chocolate",
    ]
    /// Typical prices in major units; converted with the currency's minor units.
    static let priceRange = 2...180

    static let carriers = ["DHL", "UPS", "FedEx", "La Poste", "PostNord", "Yamato", "Correos", "InPost", "Royal Mail", "Aramex"]
    static let notes = [
        "Bitte beim Nachbarn abgeben", "Leave at the door", "Appeler avant la livraison", "置き配希望", "Gift wrap, please",
        "Por favor, entregar por la tarde", "Позвонить за час", "No plastic packaging",
    ]
    static let cancelReasons = ["customer request", "payment failed", "out of stock", "duplicate order", "address could not be verified"]

    /// A realistic price for `currency`: JPY has no minor units, most currencies two.
    static func priceMinor(major: Int, currency: String, minorUnits: Int) -> Int64 {
        let scale: Int64 =
            switch currency {
            case "JPY": 150
            case "SEK": 11
            case "PLN", "AED": 4
            case "CNY": 7
            default: 1
            }
        var factor: Int64 = 1
        for _ in 0..<minorUnits { factor *= 10 }
        return Int64(major) * scale * factor + (minorUnits > 0 ? Int64(major * 37 % 100) : 0)
    }
}
