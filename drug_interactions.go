package medic

import "slices"

// Interactions is Medic's curated table of clinically important pairs seen
// in primary care, written for Medic from the usual references (BNF
// appendix 1, the SA Medicines Formulary, product information). "severe":
// avoid or only with close monitoring; "moderate": adjust dose, space
// doses or monitor. It is a safety net, not a complete compendium.
var Interactions = []Interaction{
	// Anticoagulants and bleeding.
	{ing("warfarin"), atcClass("M01A", "NSAIDs"), "severe", "bleeding risk rises (NSAIDs add gastric and platelet effects to anticoagulation)."},
	{ing("warfarin"), ing("acetylsalicylic acid"), "severe", "bleeding risk rises; use together only when indicated and monitored."},
	{ing("warfarin"), ing("clopidogrel"), "severe", "bleeding risk rises; use together only when indicated and monitored."},
	{ing("warfarin"), ing("metronidazole"), "severe", "metronidazole raises the INR markedly; avoid or halve warfarin and check the INR."},
	{ing("warfarin"), ing("sulfamethoxazole"), "severe", "co-trimoxazole raises the INR; check it within 3-5 days."},
	{ing("warfarin"), ing("fluconazole"), "severe", "fluconazole raises the INR; check it within 3-5 days."},
	{ing("warfarin"), ing("amiodarone"), "severe", "amiodarone raises the INR for weeks; reduce warfarin and monitor."},
	{ing("warfarin"), ing("rifampicin"), "severe", "rifampicin lowers the INR sharply; warfarin needs large dose changes."},
	{ing("warfarin"), atcClass("J01MA", "fluoroquinolones"), "moderate", "the INR may rise; check it during the course."},
	{ing("warfarin"), atcClass("J01FA", "macrolides"), "moderate", "the INR may rise; check it during the course."},
	{ing("warfarin"), ing("carbamazepine"), "moderate", "carbamazepine lowers the INR; monitor when starting or stopping."},
	{ing("warfarin"), atcClass("N06AB", "SSRIs"), "moderate", "bleeding risk rises; monitor the INR and for bleeding."},
	{ing("rivaroxaban"), atcClass("M01A", "NSAIDs"), "severe", "bleeding risk rises."},
	{ing("rivaroxaban"), ing("clopidogrel"), "severe", "bleeding risk rises."},
	{ing("rivaroxaban"), ing("acetylsalicylic acid"), "severe", "bleeding risk rises."},
	{ing("clopidogrel"), ing("omeprazole"), "moderate", "omeprazole reduces clopidogrel's activation; prefer pantoprazole."},
	{atcClass("N06AB", "SSRIs"), atcClass("M01A", "NSAIDs"), "moderate", "gastro-intestinal bleeding risk rises; consider gastric protection."},

	// Potassium and the kidney.
	{atcClass("C09A", "ACE inhibitors"), ing("spironolactone"), "severe", "hyperkalaemia; check potassium and creatinine."},
	{atcClass("C09C", "angiotensin receptor blockers"), ing("spironolactone"), "severe", "hyperkalaemia; check potassium and creatinine."},
	{atcClass("C09A", "ACE inhibitors"), ing("potassium chloride"), "severe", "hyperkalaemia; avoid potassium supplements unless potassium is low."},
	{ing("spironolactone"), ing("potassium chloride"), "severe", "hyperkalaemia; avoid together."},
	{atcClass("C09A", "ACE inhibitors"), atcClass("C09C", "angiotensin receptor blockers"), "severe", "dual blockade of the renin-angiotensin system: hyperkalaemia and kidney injury without benefit."},
	{atcClass("C09A", "ACE inhibitors"), atcClass("M01A", "NSAIDs"), "moderate", "kidney function may fall and blood pressure rise; avoid in the elderly or dehydrated."},
	{atcClass("C09C", "angiotensin receptor blockers"), atcClass("M01A", "NSAIDs"), "moderate", "kidney function may fall and blood pressure rise."},

	// Lithium.
	{ing("lithium carbonate"), atcClass("M01A", "NSAIDs"), "severe", "lithium levels rise towards toxicity."},
	{ing("lithium carbonate"), atcClass("C09A", "ACE inhibitors"), "severe", "lithium levels rise towards toxicity."},
	{ing("lithium carbonate"), ing("hydrochlorothiazide"), "severe", "thiazides raise lithium levels towards toxicity."},
	{ing("lithium carbonate"), ing("indapamide"), "severe", "thiazide-like diuretics raise lithium levels towards toxicity."},

	// Statins (muscle toxicity).
	{ing("simvastatin"), ing("clarithromycin"), "severe", "myopathy and rhabdomyolysis; stop simvastatin during the course."},
	{ing("simvastatin"), ing("erythromycin"), "severe", "myopathy and rhabdomyolysis; stop simvastatin during the course."},
	{ing("simvastatin"), ing("amiodarone"), "moderate", "myopathy risk; do not exceed simvastatin 20 mg a day."},
	{ing("simvastatin"), ing("amlodipine"), "moderate", "myopathy risk; do not exceed simvastatin 20 mg a day."},
	{ing("atorvastatin"), ing("clarithromycin"), "moderate", "myopathy risk; use the lowest atorvastatin dose during the course."},
	{ing("colchicine"), ing("clarithromycin"), "severe", "colchicine toxicity (can be fatal); avoid together."},

	// Heart rhythm and blood pressure.
	{ing("sildenafil"), atcClass("C01DA", "nitrates"), "severe", "profound hypotension; never together."},
	{atcClass("C07", "beta-blockers"), ing("verapamil"), "severe", "bradycardia, heart block and heart failure."},
	{ing("digoxin"), ing("amiodarone"), "severe", "digoxin levels double; halve digoxin and monitor."},
	{ing("digoxin"), ing("verapamil"), "moderate", "digoxin levels rise and heart rate falls."},
	{ing("amiodarone"), atcClass("J01FA", "macrolides"), "severe", "QT prolongation and ventricular arrhythmia."},
	{ing("amiodarone"), ing("haloperidol"), "severe", "QT prolongation and ventricular arrhythmia."},
	{ing("citalopram"), ing("haloperidol"), "moderate", "QT prolongation; check an ECG."},
	{ing("escitalopram"), ing("haloperidol"), "moderate", "QT prolongation; check an ECG."},

	// Central nervous system.
	{atcClass("N06AB", "SSRIs"), ing("tramadol"), "severe", "serotonin syndrome and seizures."},
	{ing("amitriptyline"), ing("tramadol"), "severe", "serotonin syndrome and seizures."},
	{atcClass("N05BA", "benzodiazepines"), atcClass("N02A", "opioids"), "severe", "deep sedation and respiratory depression."},
	{ing("zolpidem"), atcClass("N02A", "opioids"), "severe", "deep sedation and respiratory depression."},
	{ing("metoclopramide"), ing("haloperidol"), "moderate", "extrapyramidal effects are more likely."},
	{ing("sodium valproate"), ing("lamotrigine"), "moderate", "valproate doubles lamotrigine levels (serious rash); halve lamotrigine."},
	{ing("phenytoin"), ing("fluconazole"), "moderate", "phenytoin levels rise; monitor."},

	// Contraception and enzyme inducers.
	{ing("carbamazepine"), atcClass("G03AA", "combined oral contraceptives"), "severe", "contraceptive failure; use another method."},
	{ing("rifampicin"), atcClass("G03AA", "combined oral contraceptives"), "severe", "contraceptive failure; use another method."},
	{ing("rifampicin"), ing("dolutegravir"), "moderate", "dolutegravir levels fall; give dolutegravir 50 mg twice daily."},
	{ing("efavirenz"), ing("artemether"), "moderate", "artemether-lumefantrine levels fall; watch for treatment failure."},

	// Marrow, blood sugar, theophylline.
	{ing("methotrexate"), ing("trimethoprim"), "severe", "bone-marrow suppression (can be fatal); avoid together."},
	{ing("methotrexate"), atcClass("M01A", "NSAIDs"), "moderate", "methotrexate levels rise; monitor blood counts and kidney function."},
	{ing("theophylline"), ing("ciprofloxacin"), "severe", "theophylline toxicity (seizures); avoid or halve theophylline."},
	{atcClass("A10BB", "sulfonylureas"), ing("fluconazole"), "moderate", "hypoglycaemia; monitor glucose."},
	{atcClass("A10BB", "sulfonylureas"), ing("sulfamethoxazole"), "moderate", "hypoglycaemia; monitor glucose."},

	// Absorption (space the doses).
	{atcClass("J01MA", "fluoroquinolones"), atcClass("A02AD", "antacids"), "moderate", "absorption falls; take the antibiotic 2 hours before or 6 hours after."},
	{atcClass("J01MA", "fluoroquinolones"), atcClass("B03A", "iron"), "moderate", "absorption falls; take the antibiotic 2 hours before or 6 hours after."},
	{ing("doxycycline"), atcClass("A02AD", "antacids"), "moderate", "absorption falls; space the doses by 2-3 hours."},
	{ing("doxycycline"), atcClass("B03A", "iron"), "moderate", "absorption falls; space the doses by 2-3 hours."},
	{ing("levothyroxine"), atcClass("B03A", "iron"), "moderate", "levothyroxine absorption falls; space the doses by 4 hours."},
	{ing("levothyroxine"), ing("calcium carbonate"), "moderate", "levothyroxine absorption falls; space the doses by 4 hours."},
}

// InteractionIngredients lists the ingredients the table names, so a test
// can check the starter medicines hold every one of them.
func InteractionIngredients() []string {
	var out []string
	for _, in := range Interactions {
		for _, r := range []drugRef{in.a, in.b} {
			if r.ingredient != "" && !slices.Contains(out, r.ingredient) {
				out = append(out, r.ingredient)
			}
		}
	}
	return out
}
