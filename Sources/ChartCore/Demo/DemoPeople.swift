import Foundation

/// Names, contacts and notes for demo people. Phone numbers are from ranges reserved for
/// fiction (UK 07700 900xxx, North American 555-01xx) and e-mail uses example.com/.org/.net.
enum DemoPeople {
    static let clinicNames = [
        "Harbourside Physiotherapy", "Linden Street Physio", "Northgate Sports & Spine",
        "Riverbank Physio & Rehab", "Elm Court Physiotherapy", "Westfield Movement Clinic",
    ]

    static let clinicians: [Clinician] = [
        Clinician(username: "mreyes", displayName: "María Reyes", credentials: "PT, DPT, Cert. DN"),
        Clinician(username: "jokafor", displayName: "James Okafor", credentials: "MCSP, HCPC, Cert. DN"),
        Clinician(username: "hlindqvist", displayName: "Hanna Lindqvist", credentials: "PT, MSc, Cert. DN"),
        Clinician(username: "tnguyen", displayName: "Thu Nguyen", credentials: "PT, DPT, CMTPT"),
        Clinician(username: "dkowalski", displayName: "Dominik Kowalski", credentials: "DC, Cert. DN"),
        Clinician(username: "sbrennan", displayName: "Siobhán Brennan", credentials: "MISCP, Cert. DN"),
    ]

    /// Given and family names that belong together.
    struct Culture { var given: [String]; var family: [String]; var familyFirst = false; var separator = " " }

    static let latin: [Culture] = [
        Culture(given: ["Zoë", "Oliver", "Amelia", "Harry", "Isla", "Jack", "Grace", "Thomas", "Chloé", "Noah", "Ruth", "Callum"],
                family: ["Whitfield", "Hughes", "Patel", "O'Connor", "Bennett", "Clarke", "Ashworth", "Moss", "Fraser", "Khan"]),
        Culture(given: ["José", "Lucía", "Álvaro", "Inés", "Martín", "Begoña", "Raúl", "Nuria"],
                family: ["García", "Muñoz", "Fernández", "Núñez", "Ibáñez", "Ortega", "Peña", "Sáez"]),
        Culture(given: ["Søren", "Åsa", "Bjørn", "Sigrún", "Mikkel", "Ingrid", "Jörgen", "Freja"],
                family: ["Jørgensen", "Ødegård", "Lindström", "Åkesson", "Halvorsen", "Sigurðsson", "Nyström"]),
        Culture(given: ["Amélie", "François", "Hélène", "Loïc", "Céline", "Théo", "Maëlle", "Jérôme"],
                family: ["Lefèvre", "Dubois", "Girard", "Mercier", "Bélanger", "Rousseau", "Lemaître"]),
        Culture(given: ["Jürgen", "Lena", "Matthias", "Anneliese", "Lukas", "Käthe", "Felix", "Sophie"],
                family: ["Müller", "Schäfer", "Weiß", "Hoffmann", "Krüger", "Bäcker", "Vogel"]),
        Culture(given: ["João", "Conceição", "Gonçalo", "Mariana", "Tomás", "Leonor"],
                family: ["Gonçalves", "Magalhães", "Simões", "Araújo", "Conceição", "Pereira"]),
        Culture(given: ["Małgorzata", "Paweł", "Agnieszka", "Łukasz", "Zofia", "Krzysztof"],
                family: ["Gołąb", "Kowalczyk", "Wójcik", "Nowak", "Mazur", "Krawczyk"]),
        Culture(given: ["Giulia", "Niccolò", "Francesca", "Lorenzo", "Chiara", "Matteo"],
                family: ["Rossi", "Esposito", "Ricci", "De Luca", "Marchetti", "Colombo"]),
        Culture(given: ["Siobhán", "Ciarán", "Aoife", "Seán", "Niamh", "Pádraig"],
                family: ["Murphy", "Byrne", "Kavanagh", "O'Sullivan", "Gallagher", "MacNamara"]),
        Culture(given: ["Thị Lan", "Văn Minh", "Thu Hà", "Đức Anh"],
                family: ["Nguyễn", "Trần", "Phạm", "Lê"], familyFirst: true),
        Culture(given: ["Chidi", "Ngozi", "Oluwaseun", "Adaeze", "Emeka"],
                family: ["Okonkwo", "Adeyemi", "Eze", "Balogun", "Nwosu"]),
        Culture(given: ["Ayşe", "Mehmet", "Çağla", "Barış", "Gülşen"],
                family: ["Yılmaz", "Öztürk", "Şahin", "Çelik", "Doğan"]),
    ]

    /// Names in CJK scripts: Chinese (no space), Japanese and Korean.
    static let cjk: [Culture] = [
        Culture(given: ["秀英", "伟", "静怡", "志强", "丽华"], family: ["王", "李", "张", "陈", "刘"], familyFirst: true, separator: ""),
        Culture(given: ["花子", "健太", "由美", "翔太", "美咲"], family: ["佐藤", "鈴木", "高橋", "田中", "渡辺"], familyFirst: true),
        Culture(given: ["민준", "서연", "지훈", "하은", "영수"], family: ["김", "이", "박", "최", "정"], familyFirst: true, separator: ""),
    ]

    /// Arabic and Hebrew names (shown right to left as stored).
    static let rtl: [Culture] = [
        Culture(given: ["فاطمة", "ليلى", "يوسف", "عمر", "مريم"], family: ["حداد", "الخطيب", "منصور", "عبد الله"]),
        Culture(given: ["נועה", "אבי", "תמר", "יוסי", "מיכל"], family: ["כהן", "לוי", "מזרחי", "פרץ"]),
    ]

    /// Cyrillic names, with the family name agreeing with the given name's gender.
    static let cyrillic: [(given: String, family: String)] = [
        ("Анна", "Петрова"), ("Дмитрий", "Иванов"), ("Ольга", "Смирнова"), ("Сергей", "Кузнецов"),
        ("Олена", "Шевченко"), ("Андрій", "Коваленко"), ("Елена", "Соколова"), ("Никола", "Петровић"),
    ]

    /// The script of the name of patient `index`: each block of thirty patients has a Chinese, a
    /// Japanese and a Korean name, one Arabic or Hebrew and one Cyrillic, so the demo always shows several scripts.
    static func script(for index: Int) -> Script {
        switch index % 30 {
        case 4: return .cjk(0)
        case 16: return .cjk(1)
        case 27: return .cjk(2)
        case 11: return .rtl
        case 21: return .cyrillic
        default: return .latin
        }
    }

    /// A script, and for CJK which of Chinese, Japanese or Korean.
    enum Script { case latin, cjk(Int), rtl, cyrillic }

    static func name(_ script: Script, _ rng: inout DemoRandom) -> String {
        func compose(_ c: Culture) -> String {
            let given = rng.pick(c.given), family = rng.pick(c.family)
            return c.familyFirst ? family + c.separator + given : given + c.separator + family
        }
        switch script {
        case .latin: return compose(rng.pick(latin))
        case .cjk(let which): return compose(cjk[which % cjk.count])
        case .rtl: return compose(rng.pick(rtl))
        case .cyrillic:
            let n = rng.pick(cyrillic)
            return n.given + " " + n.family
        }
    }

    private static let mailHosts = ["example.com", "example.org", "example.net", "mail.example.com"]

    /// Letters that diacritic folding leaves alone, spelled out in ASCII for an e-mail address.
    private static let asciiLetters: [Character: String] = ["ø": "o", "æ": "ae", "ł": "l", "đ": "d", "ð": "d", "ß": "ss", "ı": "i", "'": ""]

    /// "jose.garcia" for "José García"; nil for a name with no Latin letters.
    static func mailbox(_ name: String) -> String? {
        let folded = name.lowercased().folding(options: .diacriticInsensitive, locale: nil)
        var words: [String] = []
        for word in folded.split(separator: " ") {
            var w = ""
            for ch in word {
                if let r = asciiLetters[ch] { w += r } else if ch.isASCII, ch.isLetter { w.append(ch) } else { return nil }
            }
            if !w.isEmpty { words.append(w) }
        }
        guard let first = words.first, let last = words.last, words.count > 1 else { return nil }
        return first + "." + last
    }

    static func contact(name: String, _ rng: inout DemoRandom) -> String {
        let phone: String
        if rng.chance(700) {
            phone = "07700 900" + pad(rng.int(0...999), 3)
        } else {
            phone = "+1 555 01" + pad(rng.int(0...99), 2)
        }
        let user = mailbox(name).map { rng.chance(500) ? $0 : $0 + String(rng.int(1...99)) } ?? "patient" + String(rng.int(100...999))
        let mail = user + "@" + rng.pick(mailHosts)
        switch rng.int(0...9) {
        case 0...4: return phone
        case 5...7: return phone + ", " + mail
        case 8: return mail
        default: return phone + " (evenings)"
        }
    }

    /// Short patient notes, each with the ages it suits.
    static let notes: [(text: String, ages: ClosedRange<Int>)] = [
        ("", 0...200), ("", 0...200), ("", 0...200), ("", 0...200),
        ("Desk job, works from home three days a week.", 20...67),
        ("Nurse on 12-hour shifts; prefers early appointments.", 21...66),
        ("Runs 25-30 km a week; training for a half marathon.", 18...60),
        ("Referred by GP (Dr Adeyemi).", 0...200),
        ("Referred by orthopaedic clinic after imaging.", 0...200),
        ("Retired teacher; walks the dog twice daily.", 60...200),
        ("Plays five-a-side football on Tuesdays.", 18...50),
        ("Hard of hearing on the left: sit on the right.", 55...200),
        ("Prefers written aftercare instructions.", 0...200),
        ("Carer for elderly parent; limited availability.", 35...70),
        ("Works in a warehouse, lots of lifting.", 18...64),
        ("Professional violinist.", 18...70),
        ("Keen climber, bouldering three times a week.", 18...55),
        ("Interpreter needed for first visit.", 0...200),
        ("Self-referred; previous good response to dry needling elsewhere.", 0...200),
        ("Cyclist, commutes 15 km each way.", 18...65),
        ("Student; exams in May and June.", 18...26),
        ("Uses a walking stick outdoors.", 70...200),
    ]

    /// A note suited to a patient of `age`.
    static func note(age: Int, _ rng: inout DemoRandom) -> String {
        rng.pick(notes.filter { $0.ages.contains(age) }).text
    }

    /// `n` in decimal with leading zeros to at least `width` digits.
    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
