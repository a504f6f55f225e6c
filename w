DRY NEEDLING SESSION NOTE
=========================
Clinic:       Linden Street Physio
Clinician:    Siobhán Brennan, MISCP, Cert. DN (sbrennan)
Patient:      Agnieszka Kowalczyka68s-m3656
Chart no.:    NC-0014
Born:         1980-11-28 (age 45 at this visit)
Session:      no. 1 (record 70)
Date:         2026-11-09 09:45 UTC
Status:       signed

CONDITION
  neck pain (chronic)

SCREENING
  Contraindications: none
  Site-specific:     Local infection or skin lesion: not needled at back of head
                     (eczema patch over the back of head: not needled)
  Precautions:       none
  Other items:       every other item answered "no"
  Consent:           obtained 2026-11-09 09:46
  Explained:         it is not acupuncture; common effects: soreness, bruising,
                     bleeding, fatigue; rare risks: pneumothorax, infection

PAIN (NPRS 0-10)
  Before treatment 5/10; after treatment 4/10; change -1 (1 point lower).

POINTS NEEDLED
  5 points, 6 needles.

   #  Muscle (region)  Side  N  Size        Depth        Technique      Twitch
   1  middle trapezius L     1  0.30×40 mm  deep         static 5 min   none
      (upper back)
      Sensations: nothing felt
      Pain during needling: 0/10. Charted at 09:48.

   2  upper trapezius  L     2  0.25×40 mm  deep         e-stim 2 Hz    none
      (back of neck)                                     20 min
      Sensations: tingling / electric
      Pain during needling: 3/10. Charted at 09:53.
      Note: taut band palpable

   3  upper trapezius  R     1  0.30×40 mm  superficial  rotation       2 weak
      (back of neck)
      Sensations: deep ache, referred pain (to angle of the jaw), familiar pain
                  reproduced
      Pain during needling: 4/10. Charted at 09:55.

   4  splenius         R     1  0.30×30 mm  deep         pistoning      5 weak
      cervicis
      (back of neck)
      Sensations: deep ache, twitch / jump, referred pain (to top of the
                  shoulder), tingling / electric
      Pain during needling: 1/10. Charted at 10:00.

   5  splenius         L     1  0.30×40 mm  deep 24 mm   pistoning      none
      cervicis
      (back of neck)
      Sensations: cramping
      Pain during needling: 3/10. Charted at 10:03.

  Side is the patient's: R right, L left, M midline. N: needles inserted. Size:
  diameter×length. Twitch: local twitch responses.

SAFETY WARNINGS
  - Point 1: Upper back — middle trapezius: lung (pneumothorax)
  - Point 2: Back of neck — upper trapezius: lung apex (use pincer grip)
  - Point 3: Back of neck — upper trapezius: lung apex (use pincer grip)
  - Point 4: Back of neck — splenius cervicis: lung apex (use pincer grip)
  - Point 5: Back of neck — splenius cervicis: lung apex (use pincer grip)
  - Points 1, 2, 3, 4, 5: Both sides of the thorax needled this session:
    bilateral pneumothorax risk. Check breathing before the patient leaves.

CLOSE-OUT
  Needle count:      6 inserted, 6 removed and disposed: reconciled
  Needle brand:      Seirin J-Type
  Lot number:        SJ2611-416
  Adverse events:    none recorded
  Aftercare given:   keep moving; drink water; heat or ice as preferred; home
                     exercise; warning signs: breathlessness or chest pain after
                     needling near the thorax
  Also treated with: exercise, massage

PLAN
  Next visit:        2026-11-15
  Sessions planned:  6
  Plan note:         Continue course; reassess at next visit.

SIGNATURE
  Signed by Siobhán Brennan, MISCP, Cert. DN (sbrennan) on 2026-11-09 10:09.

ADDENDA
  1. Added 2026-11-19 05:58 by ahale:
     k2r01
