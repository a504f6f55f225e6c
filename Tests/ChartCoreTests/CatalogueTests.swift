import ChartCore
import Foundation
import Testing

@Suite struct CatalogueTests {
    @Test func theBuiltInCatalogueHasTheBodyMapOfTheSpec() {
        let c = Catalogue.builtIn
        #expect(c.regions.count == 23)
        #expect(c.regions(in: .front).count == 12)
        #expect(c.regions(in: .back).count == 11)
        #expect(c.region("buttock")?.muscles == ["gluteus maximus", "gluteus medius", "gluteus minimus", "piriformis"])
        #expect(c.region("back-neck")?.warnings == ["lung apex (use pincer grip)"])
        #expect(c.region("back-neck")?.warnings(forMuscle: "cervical multifidus") == ["spinal canal: needle onto the lamina", "vertebral artery"])
        #expect(c.region("upper-back")?.muscles.contains("latissimus dorsi") == true)
        #expect(c.region("shoulder-blade")?.muscles.contains("subscapularis") == true)
        #expect(c.needleDiameters == [16, 18, 20, 25, 30, 35])
        #expect(c.needleLengths == [13, 15, 25, 30, 40, 50, 60, 75, 100])
        #expect(c.adverseEvents.filter { $0.severity == .serious }.count == 5)
        #expect(c.conditions.count == 12)
    }

    /// Issue 9: the seed content a clinic starts from (and may override like any other item).
    @Test func theSeedContentCoversWhatAPhysiotherapistCharts() throws {
        let c = Catalogue.builtIn
        let anaemia = try #require(c.screeningItem("anaemia"))
        #expect(anaemia.kind == .precaution && anaemia.question.hasPrefix("Anaemia"), "anaemia is a precaution, not a bleeding disorder")
        #expect(c.screeningItem("bleeding-disorder")?.kind == .contraindicated)
        let pregnancy = try #require(c.screeningItem("pregnancy"))
        #expect(pregnancy.kind == .contraindicated && pregnancy.question.contains("especially the first trimester"))
        let thinners = try #require(c.screeningItem("anticoagulants"))
        #expect(thinners.kind == .precaution && thinners.question.contains("cannot be stopped") && thinners.question.contains("physician consulted"))
        #expect(c.aftercare.first?.id == "skin-prep" && c.aftercare.first?.name == "skin prepared before needling")
        #expect(c.aftercare.contains { $0.name == "soreness may last 12-48 hours" })
    }

    @Test func aClinicOverrideReplacesByIdAndAdds() throws {
        let yaml = """
            screening:
              - {id: diabetes, question: Diabetes (poorly controlled), class: contraindicated}
              - {id: pacemaker, question: Pacemaker (no e-stim), class: precaution}
            regions:
              - id: jaw
                name: jaw
                view: front
                muscles: [lateral pterygoid]
                warnings: [facial nerve]
            needle-lengths-mm: [30, 40]
            """
        let c = try CatalogueLoader.apply(yaml, file: "clinic.yaml", over: .builtIn)
        #expect(c.screeningItem("diabetes")?.kind == .contraindicated)
        #expect(c.screeningItem("pacemaker")?.kind == .precaution)
        #expect(c.screening.count == Catalogue.builtIn.screening.count + 1)
        #expect(c.region("jaw")?.warnings == ["facial nerve"])
        #expect(c.needleLengths == [30, 40])
        #expect(c.sensations == Catalogue.builtIn.sensations, "lists not named stay as built")
    }

    /// The aftercare already ticked on a new close-out is the catalogue's (`ticked:`), so a
    /// clinic sets its own: an item it names keeps its ticking unless it says otherwise.
    @Test func theClinicChoosesWhichAftercareStartsTicked() throws {
        let built = Catalogue.builtIn
        let shoulder = [TriggerPointEntry(id: "a", regionID: "buttock", muscle: "piriformis", side: .right, needleCount: 1,
                                          diameter: NeedleDiameter(hundredths: 25), lengthMM: 30, depth: .superficial,
                                          technique: Technique(kind: .static), recordedAt: Date(timeIntervalSince1970: 0))]
        var chest = shoulder
        chest[0].regionID = "chest"; chest[0].muscle = "pectoralis major"
        #expect(built.region("chest")?.thorax == true && built.region("buttock")?.thorax == false)
        #expect(built.defaultAftercare(for: shoulder) == ["keep-moving", "water", "heat-ice", "warn-infection"])
        #expect(built.defaultAftercare(for: chest) == ["keep-moving", "water", "heat-ice", "warn-breathless", "warn-infection"])

        let yaml = """
            aftercare:
              - {id: stretching, name: gentle stretching, ticked: always}
              - {id: water, name: drink water, ticked: never}
              - {id: keep-moving, name: keep moving as usual}
              - {id: ice-pack, name: ice pack at home, ticked: thorax}
            """
        let c = try CatalogueLoader.apply(yaml, file: "clinic.yaml", over: .builtIn)
        #expect(c.defaultAftercare(for: shoulder) == ["keep-moving", "stretching", "heat-ice", "warn-infection"])
        #expect(c.defaultAftercare(for: chest) == ["keep-moving", "stretching", "heat-ice", "warn-breathless", "warn-infection", "ice-pack"])
        #expect(c.aftercare.first { $0.id == "keep-moving" }?.name == "keep moving as usual", "renamed, still ticked")
        #expect { try CatalogueLoader.apply("aftercare:\n  - {id: water, name: w, ticked: sometimes}\n", file: "clinic.yaml", over: .builtIn) } throws: {
            String(describing: $0).hasPrefix("clinic.yaml:2: ticked must be always, thorax or never, not 'sometimes'")
        }
    }

    @Test func aMuscleMayGiveItsOwnFlagsOrTakeItsRegions() throws {
        let yaml = """
            regions:
              - {id: forearm, name: forearm, view: front, muscles: [pronator teres, wrist flexors], warnings: [median nerve]}
              - id: back
                name: back
                view: back
                lung: true
                warnings: [lung]
                muscles:
                  - rhomboids
                  - {name: multifidus, lung: false, warnings: [spinal canal]}
                  - {name: posterior deltoid, lung: false, warnings: []}
                  - {name: latissimus dorsi, warnings: ["lung: pincer grip"]}
              - {id: old-style, name: old style, view: back, thorax: true, muscles: [a], warnings: [w]}
            """
        let c = try CatalogueLoader.apply(yaml, file: "clinic.yaml", over: .builtIn)
        let forearm = try #require(c.region("forearm"))
        #expect(forearm.muscles == ["pronator teres", "wrist flexors"], "the short form still works")
        #expect(forearm.warnings(forMuscle: "wrist flexors") == ["median nerve"])
        #expect(!forearm.isOverLung(muscle: "wrist flexors"))
        let back = try #require(c.region("back"))
        #expect(back.muscles == ["rhomboids", "multifidus", "posterior deltoid", "latissimus dorsi"])
        #expect(back.safety(forMuscle: "rhomboids") == MuscleSafety(warnings: ["lung"], overLung: true), "no flags: the region's")
        #expect(back.safety(forMuscle: "multifidus") == MuscleSafety(warnings: ["spinal canal"], overLung: false))
        #expect(back.safety(forMuscle: "posterior deltoid") == MuscleSafety(warnings: [], overLung: false), "warnings: [] says none")
        #expect(back.safety(forMuscle: "latissimus dorsi") == MuscleSafety(warnings: ["lung: pincer grip"], overLung: true))
        #expect(back.safety(forMuscle: "serratus posterior") == MuscleSafety(warnings: ["lung"], overLung: true), "free text: the region's")
        #expect(back.allWarnings == ["lung", "spinal canal", "lung: pincer grip"])
        #expect(back.hazards == ["lung", "spinal canal"], "a muscle's advice on the lung is the lung's hazard")
        #expect(c.region("old-style")?.lung == true, "a clinic file's 'thorax: true' still reads")
        #expect(c.region("chest") == Catalogue.builtIn.region("chest"), "regions not named stay as built")
    }

    @Test(arguments: [
        ("regions:\n  - id: x\n    name: x\n    view: back\n    muscles:\n      - {name: a, nerve: [b]}\n",
         "clinic.yaml:6: unknown key 'nerve' for a muscle (known: lung, name, warnings)"),
        ("regions:\n  - id: x\n    name: x\n    view: back\n    muscles:\n      - a\n      - {name: A}\n",
         "clinic.yaml:7: muscle 'A' appears twice in region 'x'"),
        ("regions:\n  - id: x\n    name: x\n    view: back\n    muscles:\n      - {warnings: [b]}\n", "clinic.yaml:6: 'name' is missing"),
        ("regions:\n  - id: x\n    name: x\n    view: back\n    muscles:\n      - [a, b]\n", "clinic.yaml:6: each of 'muscles' must be a name"),
        ("regions:\n  - id: x\n    name: x\n    view: back\n    muscles:\n      - {name: a, lung: maybe}\n", "clinic.yaml:6: 'lung' must be true or false"),
        ("regions:\n  - id: x\n    name: x\n    view: back\n    muscles:\n      - {name: a, warnings: b}\n", "clinic.yaml:6: 'warnings' must be a list"),
        ("regions:\n  - {id: x, name: x, view: back, lung: true, thorax: true, muscles: [a]}\n",
         "clinic.yaml:2: give 'lung' only: 'thorax' is its former name"),
    ])
    func aBadMuscleNamesTheFileAndLine(yaml: String, expected: String) {
        #expect { try CatalogueLoader.apply(yaml, file: "clinic.yaml", over: .builtIn) } throws: { error in
            String(describing: error).hasPrefix(expected)
        }
    }

    @Test(arguments: [
        ("regions:\n  - {id: x, name: x, view: side, muscles: [a]}\n", "clinic.yaml:2: view must be front or back, not 'side'"),
        ("screening:\n  - id: a\n    question: Q\n", "clinic.yaml:2: 'class' is missing"),
        ("colours: [red]\n", "clinic.yaml:1: unknown section 'colours'"),
        ("needle-lengths-mm:\n  - 40\n  - 900\n", "clinic.yaml:3: needle length must be whole millimetres from 7 to 150"),
        ("screening:\n  - {id: a, question: Q, class: maybe}\n", "clinic.yaml:2: class must be contraindicated, site-specific or precaution, not 'maybe'"),
        ("regions: [\n", "clinic.yaml:2: not valid YAML"),
        ("conditions:\n  - {id: A B, name: x}\n", "clinic.yaml:2: id 'A B' must be lower-case letters, digits and hyphens"),
    ])
    func aBadOverrideNamesTheFileAndLine(yaml: String, expected: String) {
        #expect { try CatalogueLoader.apply(yaml, file: "clinic.yaml", over: .builtIn) } throws: { error in
            let text = String(describing: error)
            return text.hasPrefix(expected)
        }
    }

    @Test func loadReadsTheOverrideFileFromTheConfigDirectory() throws {
        let dir = NSTemporaryDirectory() + "nc-config-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = CatalogueLoader.overridePath(environment: ["XDG_CONFIG_HOME": dir, "HOME": "/nowhere"])
        #expect(path == dir + "/needlechart/catalogue.yaml")
        #expect(try CatalogueLoader.load(overridePath: path) == .builtIn, "no file: the built-in catalogue")
        try FileManager.default.createDirectory(atPath: dir + "/needlechart", withIntermediateDirectories: true)
        try "conditions:\n  - {id: whiplash, name: whiplash}\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try CatalogueLoader.load(overridePath: path).condition("whiplash")?.name == "whiplash")
        try "conditions: {oops\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try CatalogueLoader.load(overridePath: path) } throws: { String(describing: $0).hasPrefix(path + ":") }
    }
}

@Suite struct TextTests {
    @Test func sanitizerRemovesControlsAndBidiOverrides() {
        let evil = "a\u{1B}[2Jb\u{07}c\u{7F}d\u{85}e\u{9B}f\u{202E}g\u{2066}h\ni\tj\r"
        // NEL (U+0085) is a line break: a newline in notes, a space in a line, never a join.
        #expect(Sanitizer.multiline(evil) == "a[2Jbcd\nefgh\ni\tj")
        #expect(Sanitizer.line(evil) == "a[2Jbcd efgh i j ")
    }

    @Test func displayWidthCountsWideCharactersTwice() {
        #expect(DisplayWidth.of("Zoë Ångström-山田") == 17)
        #expect(DisplayWidth.of("e\u{301}") == 1, "combining accent takes no column")
        #expect(DisplayWidth.of("👍") == 2)
        #expect(DisplayWidth.truncate("山田太郎", to: 5) == "山田…")
        #expect(DisplayWidth.pad("山", to: 4) == "山  ")
        #expect(DisplayWidth.wrap("one two three", to: 7) == ["one two", "three"])
        #expect(DisplayWidth.wrap("abcdefghij", to: 4) == ["abcd", "efgh", "ij"])
    }
}


/// A review's finding: the front of the neck listed "carotid, jugular (pincer grip, lift the
/// muscle away)" and "carotid, jugular" as two hazards. A muscle's advice in brackets is advice,
/// as after ": ".
@Suite struct HazardNameTests {
    @Test func aHazardIsItsWordsBeforeAdviceInBracketsOrAfterAColon() {
        #expect(Catalogue.builtIn.region("front-neck")?.hazards == ["carotid, jugular", "lung apex", "brachial plexus"])
        #expect(Catalogue.builtIn.region("hand")?.hazards == ["median nerve", "radial artery"])
        #expect(Catalogue.builtIn.region("chest")?.hazards.first == "lung", "lung (pneumothorax) is the lung's")
    }
}
