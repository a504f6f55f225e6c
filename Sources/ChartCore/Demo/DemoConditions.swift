/// Where a condition is needled: a region, the muscles there that are usually treated for it,
/// how often it is chosen, and where its trigger points refer pain.
struct DemoSite: Sendable {
    var region: String
    var muscles: [String]
    var weight: Int
    var referred: [String]
}

/// One clinical picture of a catalogue condition (tennis or golfer's elbow, knee or hip
/// osteoarthritis): the qualifier charted with it and the sites needled.
struct DemoVariant: Sendable {
    var qualifier: String
    /// Both sides needled (neck pain, headache) rather than the affected side only.
    var bilateral: Bool
    var sites: [DemoSite]
}

/// A catalogue condition as the demo clinic sees it.
struct DemoCondition: Sendable {
    var id: String
    /// Relative frequency in the caseload.
    var weight: Int
    /// Share of patients presenting acutely, in permille.
    var acutePermille: Int
    var variants: [DemoVariant]
}

/// The caseload: regions and muscles per condition follow common dry needling practice.
enum DemoConditions {
    static let all: [DemoCondition] = [
        DemoCondition(id: "neck-pain", weight: 5, acutePermille: 300, variants: [
            DemoVariant(qualifier: "", bilateral: true, sites: [
                DemoSite(region: "back-neck", muscles: ["upper trapezius", "levator scapulae", "splenius cervicis", "cervical multifidus"], weight: 6,
                         referred: ["temple", "angle of the jaw", "top of the shoulder", "medial border of the shoulder blade"]),
                DemoSite(region: "upper-back", muscles: ["middle trapezius", "rhomboids"], weight: 2, referred: ["between the shoulder blades"]),
                DemoSite(region: "shoulder-blade", muscles: ["infraspinatus", "supraspinatus"], weight: 2, referred: ["front of the shoulder", "down the outer arm"]),
                DemoSite(region: "back-head", muscles: ["splenius capitis"], weight: 1, referred: ["top of the head"]),
            ]),
            DemoVariant(qualifier: "after whiplash", bilateral: true, sites: [
                DemoSite(region: "back-neck", muscles: ["upper trapezius", "levator scapulae", "cervical multifidus"], weight: 5, referred: ["base of the skull", "top of the shoulder"]),
                DemoSite(region: "front-neck", muscles: ["scalenes", "sternocleidomastoid"], weight: 1, referred: ["down the arm to the thumb", "behind the ear"]),
                DemoSite(region: "upper-back", muscles: ["rhomboids", "middle trapezius"], weight: 2, referred: ["between the shoulder blades"]),
            ]),
        ]),
        DemoCondition(id: "low-back-pain", weight: 5, acutePermille: 350, variants: [
            DemoVariant(qualifier: "", bilateral: true, sites: [
                DemoSite(region: "low-back", muscles: ["quadratus lumborum", "lumbar multifidus", "erector spinae"], weight: 6,
                         referred: ["buttock", "sacroiliac joint", "outer hip"]),
                DemoSite(region: "buttock", muscles: ["gluteus medius", "gluteus minimus", "gluteus maximus"], weight: 3,
                         referred: ["outer thigh", "sacrum", "back of the thigh"]),
                DemoSite(region: "front-hip", muscles: ["iliacus", "psoas"], weight: 1, referred: ["low back", "front of the thigh"]),
                DemoSite(region: "abdomen", muscles: ["obliques"], weight: 1, referred: ["groin"]),
            ]),
        ]),
        DemoCondition(id: "shoulder-pain", weight: 3, acutePermille: 250, variants: [
            DemoVariant(qualifier: "", bilateral: false, sites: [
                DemoSite(region: "shoulder-blade", muscles: ["infraspinatus", "supraspinatus", "teres minor", "posterior deltoid"], weight: 5,
                         referred: ["front of the shoulder", "down the outer arm", "back of the shoulder"]),
                DemoSite(region: "front-shoulder", muscles: ["anterior deltoid", "biceps long head"], weight: 2, referred: ["front of the arm"]),
                DemoSite(region: "chest", muscles: ["pectoralis minor", "pectoralis major"], weight: 1, referred: ["front of the shoulder", "inner arm"]),
                DemoSite(region: "back-upper-arm", muscles: ["triceps brachii"], weight: 1, referred: ["back of the elbow"]),
            ]),
            DemoVariant(qualifier: "frozen shoulder", bilateral: false, sites: [
                DemoSite(region: "shoulder-blade", muscles: ["infraspinatus", "teres major", "teres minor", "supraspinatus"], weight: 5, referred: ["deep in the shoulder"]),
                DemoSite(region: "front-upper-arm", muscles: ["biceps brachii", "coracobrachialis"], weight: 1, referred: ["front of the shoulder"]),
                DemoSite(region: "front-shoulder", muscles: ["anterior deltoid"], weight: 2, referred: ["outer arm"]),
            ]),
        ]),
        DemoCondition(id: "strain", weight: 2, acutePermille: 800, variants: [
            DemoVariant(qualifier: "hamstring, sprinting", bilateral: false, sites: [
                DemoSite(region: "back-thigh", muscles: ["biceps femoris", "semitendinosus", "semimembranosus"], weight: 5, referred: ["back of the knee"]),
                DemoSite(region: "buttock", muscles: ["gluteus maximus"], weight: 1, referred: ["sit bone"]),
            ]),
            DemoVariant(qualifier: "calf, tennis", bilateral: false, sites: [
                DemoSite(region: "calf", muscles: ["gastrocnemius", "soleus"], weight: 5, referred: ["heel", "back of the knee"]),
            ]),
            DemoVariant(qualifier: "adductor, football", bilateral: false, sites: [
                DemoSite(region: "front-thigh", muscles: ["adductors", "sartorius"], weight: 5, referred: ["groin", "inner knee"]),
                DemoSite(region: "front-hip", muscles: ["psoas", "iliacus"], weight: 1, referred: ["groin"]),
            ]),
        ]),
        DemoCondition(id: "tendinopathy", weight: 2, acutePermille: 150, variants: [
            DemoVariant(qualifier: "Achilles", bilateral: false, sites: [
                DemoSite(region: "calf", muscles: ["soleus", "gastrocnemius", "tibialis posterior"], weight: 5, referred: ["heel", "Achilles tendon"]),
                DemoSite(region: "sole-foot", muscles: ["abductor hallucis", "plantar muscles"], weight: 1, referred: ["arch of the foot"]),
            ]),
            DemoVariant(qualifier: "gluteal", bilateral: false, sites: [
                DemoSite(region: "buttock", muscles: ["gluteus medius", "gluteus minimus"], weight: 5, referred: ["outer hip", "outer thigh"]),
                DemoSite(region: "front-hip", muscles: ["tensor fasciae latae"], weight: 2, referred: ["outer thigh"]),
            ]),
            DemoVariant(qualifier: "rotator cuff", bilateral: false, sites: [
                DemoSite(region: "shoulder-blade", muscles: ["supraspinatus", "infraspinatus"], weight: 5, referred: ["outer arm"]),
                DemoSite(region: "back-upper-arm", muscles: ["triceps brachii"], weight: 1, referred: ["back of the arm"]),
            ]),
        ]),
        DemoCondition(id: "patellofemoral", weight: 2, acutePermille: 200, variants: [
            DemoVariant(qualifier: "", bilateral: false, sites: [
                DemoSite(region: "front-thigh", muscles: ["vastus lateralis", "vastus medialis", "rectus femoris"], weight: 6,
                         referred: ["front of the knee", "around the kneecap"]),
                DemoSite(region: "front-hip", muscles: ["tensor fasciae latae"], weight: 2, referred: ["outer knee"]),
                DemoSite(region: "buttock", muscles: ["gluteus medius"], weight: 1, referred: ["outer hip"]),
            ]),
        ]),
        DemoCondition(id: "sciatica", weight: 2, acutePermille: 450, variants: [
            DemoVariant(qualifier: "", bilateral: false, sites: [
                DemoSite(region: "buttock", muscles: ["piriformis", "gluteus minimus", "gluteus medius"], weight: 6,
                         referred: ["back of the thigh", "down the leg to the calf", "outer calf"]),
                DemoSite(region: "back-thigh", muscles: ["biceps femoris", "semimembranosus"], weight: 2, referred: ["back of the knee"]),
                DemoSite(region: "low-back", muscles: ["lumbar multifidus", "quadratus lumborum"], weight: 2, referred: ["buttock"]),
                DemoSite(region: "calf", muscles: ["gastrocnemius", "soleus"], weight: 1, referred: ["heel"]),
            ]),
        ]),
        DemoCondition(id: "headache", weight: 3, acutePermille: 150, variants: [
            DemoVariant(qualifier: "tension-type", bilateral: true, sites: [
                DemoSite(region: "back-head", muscles: ["suboccipitals", "splenius capitis", "semispinalis capitis"], weight: 5,
                         referred: ["behind the eye", "temple", "forehead"]),
                DemoSite(region: "back-neck", muscles: ["upper trapezius", "levator scapulae"], weight: 3, referred: ["temple", "behind the ear"]),
                DemoSite(region: "head-face", muscles: ["temporalis", "masseter"], weight: 2, referred: ["upper teeth", "above the eyebrow"]),
            ]),
            DemoVariant(qualifier: "migraine, with neck component", bilateral: true, sites: [
                DemoSite(region: "back-head", muscles: ["suboccipitals", "semispinalis capitis"], weight: 5, referred: ["behind the eye", "forehead"]),
                DemoSite(region: "front-neck", muscles: ["sternocleidomastoid"], weight: 1, referred: ["forehead", "behind the ear"]),
                DemoSite(region: "head-face", muscles: ["temporalis", "frontalis"], weight: 2, referred: ["temple"]),
            ]),
        ]),
        DemoCondition(id: "postural", weight: 2, acutePermille: 100, variants: [
            DemoVariant(qualifier: "desk worker", bilateral: true, sites: [
                DemoSite(region: "upper-back", muscles: ["middle trapezius", "lower trapezius", "rhomboids", "thoracic erector spinae"], weight: 5,
                         referred: ["between the shoulder blades"]),
                DemoSite(region: "back-neck", muscles: ["upper trapezius", "levator scapulae"], weight: 3, referred: ["top of the shoulder", "neck"]),
                DemoSite(region: "chest", muscles: ["pectoralis minor", "pectoralis major"], weight: 1, referred: ["front of the shoulder"]),
                DemoSite(region: "low-back", muscles: ["erector spinae"], weight: 1, referred: ["low back"]),
            ]),
        ]),
        DemoCondition(id: "elbow", weight: 2, acutePermille: 200, variants: [
            DemoVariant(qualifier: "tennis elbow", bilateral: false, sites: [
                DemoSite(region: "back-forearm", muscles: ["wrist extensors", "extensor digitorum", "supinator"], weight: 6,
                         referred: ["outer elbow", "back of the hand"]),
                DemoSite(region: "back-upper-arm", muscles: ["triceps brachii"], weight: 1, referred: ["outer elbow"]),
                DemoSite(region: "front-forearm", muscles: ["brachioradialis"], weight: 1, referred: ["outer elbow", "web of the thumb"]),
            ]),
            DemoVariant(qualifier: "golfer's elbow", bilateral: false, sites: [
                DemoSite(region: "front-forearm", muscles: ["wrist flexors", "pronator teres"], weight: 6, referred: ["inner elbow", "palm"]),
                DemoSite(region: "hand", muscles: ["first dorsal interosseous"], weight: 1, referred: ["index finger"]),
            ]),
        ]),
        DemoCondition(id: "osteoarthritis", weight: 2, acutePermille: 50, variants: [
            DemoVariant(qualifier: "knee", bilateral: false, sites: [
                DemoSite(region: "front-thigh", muscles: ["vastus medialis", "vastus lateralis", "rectus femoris"], weight: 4, referred: ["inner knee", "front of the knee"]),
                DemoSite(region: "calf", muscles: ["popliteus", "gastrocnemius"], weight: 2, referred: ["back of the knee"]),
                DemoSite(region: "shin", muscles: ["tibialis anterior"], weight: 1, referred: ["front of the ankle"]),
            ]),
            DemoVariant(qualifier: "hip", bilateral: false, sites: [
                DemoSite(region: "buttock", muscles: ["gluteus medius", "gluteus minimus"], weight: 4, referred: ["outer hip", "outer thigh"]),
                DemoSite(region: "front-hip", muscles: ["tensor fasciae latae", "iliacus"], weight: 2, referred: ["groin"]),
                DemoSite(region: "front-thigh", muscles: ["adductors"], weight: 1, referred: ["inner knee"]),
            ]),
            DemoVariant(qualifier: "base of thumb", bilateral: false, sites: [
                DemoSite(region: "hand", muscles: ["thenar muscles", "adductor pollicis", "first dorsal interosseous"], weight: 5, referred: ["base of the thumb"]),
                DemoSite(region: "front-forearm", muscles: ["brachioradialis", "wrist flexors"], weight: 1, referred: ["wrist"]),
            ]),
        ]),
        DemoCondition(id: "sprain", weight: 2, acutePermille: 750, variants: [
            DemoVariant(qualifier: "ankle, inversion", bilateral: false, sites: [
                DemoSite(region: "shin", muscles: ["fibularis longus", "fibularis brevis", "tibialis anterior", "extensor digitorum longus"], weight: 5,
                         referred: ["outer ankle", "top of the foot"]),
                DemoSite(region: "calf", muscles: ["soleus", "gastrocnemius"], weight: 2, referred: ["heel"]),
                DemoSite(region: "top-foot", muscles: ["extensor digitorum brevis"], weight: 1, referred: ["top of the foot"]),
                DemoSite(region: "sole-foot", muscles: ["abductor hallucis", "plantar muscles"], weight: 1, referred: ["heel", "arch of the foot"]),
            ]),
        ]),
    ]

    /// The caseload restricted to what `catalogue` knows: conditions it lists, regions it has,
    /// muscles of those regions. A clinic catalogue that renames or drops items still works.
    static func available(in catalogue: Catalogue) -> [DemoCondition] {
        all.compactMap { condition in
            guard catalogue.condition(condition.id) != nil else { return nil }
            var c = condition
            c.variants = condition.variants.compactMap { variant in
                var v = variant
                v.sites = variant.sites.compactMap { site in
                    guard let region = catalogue.region(site.region) else { return nil }
                    var s = site
                    s.muscles = site.muscles.filter(region.muscles.contains)
                    if s.muscles.isEmpty { s.muscles = region.muscles }
                    return s.muscles.isEmpty ? nil : s
                }
                return v.sites.isEmpty ? nil : v
            }
            return c.variants.isEmpty ? nil : c
        }
    }
}
