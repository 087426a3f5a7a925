package medic_test

import (
	"strings"
	"testing"

	"medic"
)

func f64(x float64) *float64 { return &x }

var measuredOn = medic.NewDate(2026, 6, 15)

// Patients of each age band on measuredOn.
var (
	adult      = medic.VitalsSubject{DateOfBirth: medic.NewDate(1980, 3, 1), Sex: medic.SexFemale}
	adolescent = medic.VitalsSubject{DateOfBirth: medic.NewDate(2012, 1, 1), Sex: medic.SexMale}     // 14
	child7     = medic.VitalsSubject{DateOfBirth: medic.NewDate(2019, 6, 1), Sex: medic.SexFemale}   // 7
	toddler    = medic.VitalsSubject{DateOfBirth: medic.NewDate(2024, 12, 15), Sex: medic.SexMale}   // 18 months
	infant     = medic.VitalsSubject{DateOfBirth: medic.NewDate(2025, 12, 15), Sex: medic.SexFemale} // 6 months
	newborn    = medic.VitalsSubject{DateOfBirth: medic.NewDate(2026, 6, 5), Sex: medic.SexMale}     // 10 days
)

func TestAgeBandOn(t *testing.T) {
	dob := medic.NewDate(2020, 2, 29)
	for _, tc := range []struct {
		on   medic.Date
		want medic.AgeBand
	}{
		{dob, medic.BandNewborn},
		{dob.AddDays(27), medic.BandNewborn},
		{dob.AddDays(28), medic.BandInfant},
		{medic.NewDate(2021, 2, 28), medic.BandInfant},
		{medic.NewDate(2021, 3, 1), medic.BandToddler},
		{medic.NewDate(2023, 2, 28), medic.BandToddler},
		{medic.NewDate(2023, 3, 1), medic.BandChild},
		{medic.NewDate(2032, 3, 1), medic.BandAdolescent},
		{medic.NewDate(2038, 2, 28), medic.BandAdolescent},
		{medic.NewDate(2038, 3, 1), medic.BandAdult},
	} {
		if got := medic.AgeBandOn(dob, tc.on); got != tc.want {
			t.Errorf("AgeBandOn(%s, %s) = %s, want %s", dob, tc.on, got, tc.want)
		}
	}
}

// TestVitalsImpossible: values no living patient has (or a unit mix-up)
// are refused with a message for the field; boundary values are accepted.
func TestVitalsImpossible(t *testing.T) {
	for _, tc := range []struct {
		name    string
		subject medic.VitalsSubject
		v       medic.Vitals
		field   string // "" = valid
		words   string
	}{
		{"systolic 400", adult, medic.Vitals{SystolicMmHg: f64(400), DiastolicMmHg: f64(80)}, "systolic_mmhg", "between 30 and 300 mmHg"},
		{"systolic at max 300", adult, medic.Vitals{SystolicMmHg: f64(300), DiastolicMmHg: f64(120)}, "", ""},
		{"systolic just over 300", adult, medic.Vitals{SystolicMmHg: f64(301), DiastolicMmHg: f64(120)}, "systolic_mmhg", "between"},
		{"systolic at min 30", newborn, medic.Vitals{SystolicMmHg: f64(30), DiastolicMmHg: f64(15)}, "", ""},
		{"diastolic above systolic", adult, medic.Vitals{SystolicMmHg: f64(120), DiastolicMmHg: f64(130)}, "diastolic_mmhg", "below the systolic"},
		{"diastolic equal to systolic", adult, medic.Vitals{SystolicMmHg: f64(120), DiastolicMmHg: f64(120)}, "diastolic_mmhg", "below the systolic"},
		{"systolic alone", adult, medic.Vitals{SystolicMmHg: f64(120)}, "diastolic_mmhg", "with the systolic"},
		{"diastolic alone", adult, medic.Vitals{DiastolicMmHg: f64(80)}, "systolic_mmhg", "with the diastolic"},
		{"temperature 55 C", adult, medic.Vitals{TemperatureC: f64(55)}, "temperature_c", "between 25 and 45 °C"},
		{"temperature in Fahrenheit", adult, medic.Vitals{TemperatureC: f64(98.6)}, "temperature_c", "unit"},
		{"temperature at 45", adult, medic.Vitals{TemperatureC: f64(45)}, "", ""},
		{"temperature 45.1", adult, medic.Vitals{TemperatureC: f64(45.1)}, "temperature_c", "between"},
		{"temperature at 25", adult, medic.Vitals{TemperatureC: f64(25)}, "", ""},
		{"SpO2 101", adult, medic.Vitals{SpO2Percent: f64(101)}, "spo2_percent", "between 20 and 100 %"},
		{"SpO2 100", adult, medic.Vitals{SpO2Percent: f64(100)}, "", ""},
		{"negative pulse", adult, medic.Vitals{PulseBPM: f64(-70)}, "pulse_bpm", "cannot be negative"},
		{"negative weight", adult, medic.Vitals{WeightKg: f64(-1)}, "weight_kg", "cannot be negative"},
		{"negative glucose", adult, medic.Vitals{GlucoseMmolL: f64(-5)}, "glucose_mmol_l", "cannot be negative"},
		{"fractional pulse", adult, medic.Vitals{PulseBPM: f64(72.5)}, "pulse_bpm", "whole number"},
		{"respiratory rate 0", adult, medic.Vitals{RespiratoryRate: f64(0)}, "respiratory_rate", "between 2 and 150"},
		{"height in metres", adult, medic.Vitals{HeightCm: f64(1.72)}, "height_cm", "between 20 and 272 cm"},
		{"weight and height of different people", adult, medic.Vitals{WeightKg: f64(400), HeightCm: f64(40)}, "weight_kg", "BMI of 2500"},
		{"glucose in mg/dL", adult, medic.Vitals{GlucoseMmolL: f64(180)}, "glucose_mmol_l", "mmol/L"},
		{"head circumference for an adult", adult, medic.Vitals{HeadCircumferenceCm: f64(56)}, "head_circumference_cm", "under 3"},
		{"head circumference on the 3rd birthday", medic.VitalsSubject{DateOfBirth: medic.NewDate(2023, 6, 15)}, medic.Vitals{HeadCircumferenceCm: f64(49)}, "head_circumference_cm", "under 3"},
		{"head circumference the day before", medic.VitalsSubject{DateOfBirth: medic.NewDate(2023, 6, 16)}, medic.Vitals{HeadCircumferenceCm: f64(49)}, "", ""},
		{"head circumference for an infant", infant, medic.Vitals{HeadCircumferenceCm: f64(42)}, "", ""},
		{"before birth", medic.VitalsSubject{DateOfBirth: measuredOn.AddDays(1)}, medic.Vitals{WeightKg: f64(3)}, "measured_at", "before the date of birth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.v
			err := v.Validate(tc.subject, measuredOn)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v %v", err, medic.ErrorFields(err))
				}
				return
			}
			if medic.ErrorCode(err) != medic.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			msg := medic.ErrorFields(err)[tc.field]
			if !strings.Contains(msg, tc.words) {
				t.Fatalf("field %s: %q, want it to say %q (all: %v)", tc.field, msg, tc.words, medic.ErrorFields(err))
			}
		})
	}
}

func TestVitalsNothingMeasured(t *testing.T) {
	var v medic.Vitals
	err := v.Validate(adult, measuredOn)
	if medic.ErrorCode(err) != medic.EINVALID || !strings.Contains(medic.ErrorMessage(err), "at least one") {
		t.Fatalf("err = %v", err)
	}
}

func TestVitalsRounding(t *testing.T) {
	v := medic.Vitals{TemperatureC: f64(37.26), WeightKg: f64(3.4567)}
	if err := v.Validate(infant, measuredOn); err != nil {
		t.Fatal(err)
	}
	if *v.TemperatureC != 37.3 || *v.WeightKg != 3.457 {
		t.Fatalf("rounded to %v C, %v kg", *v.TemperatureC, *v.WeightKg)
	}
}

func TestBMI(t *testing.T) {
	for _, tc := range []struct {
		w, h float64
		want float64
	}{
		{70, 175, 22.9},  // 22.857
		{95, 170, 32.9},  // 32.872
		{50, 160, 19.5},  // 19.531
		{3.3, 50, 13.2},  // a newborn
		{120, 180, 37.0}, // 37.037
	} {
		v := medic.Vitals{WeightKg: &tc.w, HeightCm: &tc.h}
		if b := v.BMI(); b == nil || *b != tc.want {
			t.Errorf("BMI(%v kg, %v cm) = %v, want %v", tc.w, tc.h, b, tc.want)
		}
	}
	if b := (&medic.Vitals{WeightKg: f64(70)}).BMI(); b != nil {
		t.Errorf("BMI without height = %v", *b)
	}
}

// TestVitalsFlags: the same value is normal for one age band and abnormal
// for another; thresholds apply exactly at the limits the guidelines give.
func TestVitalsFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		subject medic.VitalsSubject
		v       medic.Vitals
		field   medic.VitalField
		want    medic.FlagLevel // "" = no flag for the field
	}{
		// Blood pressure, adult (ISH 2020 140/90, 180/110; NEWS2 systolic).
		{"adult 120/80 normal", adult, medic.Vitals{SystolicMmHg: f64(120), DiastolicMmHg: f64(80)}, medic.VitalSystolic, ""},
		{"adult systolic 139 normal", adult, medic.Vitals{SystolicMmHg: f64(139), DiastolicMmHg: f64(80)}, medic.VitalSystolic, ""},
		{"adult systolic 140 high", adult, medic.Vitals{SystolicMmHg: f64(140), DiastolicMmHg: f64(80)}, medic.VitalSystolic, medic.FlagHigh},
		{"adult systolic 180 critical", adult, medic.Vitals{SystolicMmHg: f64(180), DiastolicMmHg: f64(100)}, medic.VitalSystolic, medic.FlagCriticalHigh},
		{"adult diastolic 90 high", adult, medic.Vitals{SystolicMmHg: f64(130), DiastolicMmHg: f64(90)}, medic.VitalDiastolic, medic.FlagHigh},
		{"adult diastolic 110 critical", adult, medic.Vitals{SystolicMmHg: f64(170), DiastolicMmHg: f64(110)}, medic.VitalDiastolic, medic.FlagCriticalHigh},
		{"adult systolic 100 low", adult, medic.Vitals{SystolicMmHg: f64(100), DiastolicMmHg: f64(60)}, medic.VitalSystolic, medic.FlagLow},
		{"adult systolic 101 normal", adult, medic.Vitals{SystolicMmHg: f64(101), DiastolicMmHg: f64(60)}, medic.VitalSystolic, ""},
		{"adult systolic 90 critical low", adult, medic.Vitals{SystolicMmHg: f64(90), DiastolicMmHg: f64(50)}, medic.VitalSystolic, medic.FlagCriticalLow},
		// The same 100/60 is normal for a 7-year-old, high for a newborn.
		{"child 100/60 normal", child7, medic.Vitals{SystolicMmHg: f64(100), DiastolicMmHg: f64(60)}, medic.VitalSystolic, ""},
		{"newborn systolic 100 high", newborn, medic.Vitals{SystolicMmHg: f64(100), DiastolicMmHg: f64(50)}, medic.VitalSystolic, medic.FlagHigh},
		// PALS hypotension for a 7-year-old: below 70 + 2 x 7 = 84.
		{"child systolic 84 low", child7, medic.Vitals{SystolicMmHg: f64(84), DiastolicMmHg: f64(50)}, medic.VitalSystolic, medic.FlagLow},
		{"child systolic 83 critical low", child7, medic.Vitals{SystolicMmHg: f64(83), DiastolicMmHg: f64(50)}, medic.VitalSystolic, medic.FlagCriticalLow},
		{"adolescent systolic 130 high (AAP)", adolescent, medic.Vitals{SystolicMmHg: f64(130), DiastolicMmHg: f64(70)}, medic.VitalSystolic, medic.FlagHigh},

		// Pulse.
		{"adult pulse 72 normal", adult, medic.Vitals{PulseBPM: f64(72)}, medic.VitalPulse, ""},
		{"adult pulse 100 normal", adult, medic.Vitals{PulseBPM: f64(100)}, medic.VitalPulse, ""},
		{"adult pulse 101 high", adult, medic.Vitals{PulseBPM: f64(101)}, medic.VitalPulse, medic.FlagHigh},
		{"adult pulse 131 critical (NEWS2)", adult, medic.Vitals{PulseBPM: f64(131)}, medic.VitalPulse, medic.FlagCriticalHigh},
		{"adult pulse 40 critical (NEWS2)", adult, medic.Vitals{PulseBPM: f64(40)}, medic.VitalPulse, medic.FlagCriticalLow},
		{"adult pulse 41 low", adult, medic.Vitals{PulseBPM: f64(41)}, medic.VitalPulse, medic.FlagLow},
		{"infant pulse 150 normal", infant, medic.Vitals{PulseBPM: f64(150)}, medic.VitalPulse, ""},
		{"infant pulse 80 low", infant, medic.Vitals{PulseBPM: f64(80)}, medic.VitalPulse, medic.FlagLow},
		{"infant pulse 59 critical", infant, medic.Vitals{PulseBPM: f64(59)}, medic.VitalPulse, medic.FlagCriticalLow},
		{"infant pulse 220 critical (SVT)", infant, medic.Vitals{PulseBPM: f64(220)}, medic.VitalPulse, medic.FlagCriticalHigh},
		{"child pulse 150 high", child7, medic.Vitals{PulseBPM: f64(150)}, medic.VitalPulse, medic.FlagHigh},
		{"child pulse 180 critical (SVT)", child7, medic.Vitals{PulseBPM: f64(180)}, medic.VitalPulse, medic.FlagCriticalHigh},

		// Respiratory rate: 40 is normal for an infant, critical for a child.
		{"infant RR 40 normal", infant, medic.Vitals{RespiratoryRate: f64(40)}, medic.VitalRespiratoryRate, ""},
		{"child RR 40 critical", child7, medic.Vitals{RespiratoryRate: f64(40)}, medic.VitalRespiratoryRate, medic.FlagCriticalHigh},
		{"toddler RR 38 high", toddler, medic.Vitals{RespiratoryRate: f64(38)}, medic.VitalRespiratoryRate, medic.FlagHigh},
		{"adult RR 20 normal", adult, medic.Vitals{RespiratoryRate: f64(20)}, medic.VitalRespiratoryRate, ""},
		{"adult RR 21 high", adult, medic.Vitals{RespiratoryRate: f64(21)}, medic.VitalRespiratoryRate, medic.FlagHigh},
		{"adult RR 25 critical", adult, medic.Vitals{RespiratoryRate: f64(25)}, medic.VitalRespiratoryRate, medic.FlagCriticalHigh},
		{"adult RR 8 critical", adult, medic.Vitals{RespiratoryRate: f64(8)}, medic.VitalRespiratoryRate, medic.FlagCriticalLow},

		// Temperature: 37.8 is normal for an adult, high for a newborn;
		// 38.0 is a fever for an adult, critical under 28 days (NICE).
		{"adult 37.8 normal", adult, medic.Vitals{TemperatureC: f64(37.8)}, medic.VitalTemperature, ""},
		{"adult 38.0 high", adult, medic.Vitals{TemperatureC: f64(38.0)}, medic.VitalTemperature, medic.FlagHigh},
		{"adult 40.0 critical", adult, medic.Vitals{TemperatureC: f64(40.0)}, medic.VitalTemperature, medic.FlagCriticalHigh},
		{"adult 35.0 critical (NEWS2)", adult, medic.Vitals{TemperatureC: f64(35.0)}, medic.VitalTemperature, medic.FlagCriticalLow},
		{"adult 35.1 low", adult, medic.Vitals{TemperatureC: f64(35.1)}, medic.VitalTemperature, medic.FlagLow},
		{"newborn 37.8 high", newborn, medic.Vitals{TemperatureC: f64(37.8)}, medic.VitalTemperature, medic.FlagHigh},
		{"newborn 38.0 critical", newborn, medic.Vitals{TemperatureC: f64(38.0)}, medic.VitalTemperature, medic.FlagCriticalHigh},
		{"newborn 36.2 low", newborn, medic.Vitals{TemperatureC: f64(36.2)}, medic.VitalTemperature, medic.FlagLow},
		{"infant 39.0 critical", infant, medic.Vitals{TemperatureC: f64(39.0)}, medic.VitalTemperature, medic.FlagCriticalHigh},

		// SpO2: 91 is critical for an adult (NEWS2), low for a child (WHO <90).
		{"adult SpO2 94 normal", adult, medic.Vitals{SpO2Percent: f64(94)}, medic.VitalSpO2, ""},
		{"adult SpO2 93 low", adult, medic.Vitals{SpO2Percent: f64(93)}, medic.VitalSpO2, medic.FlagLow},
		{"adult SpO2 91 critical", adult, medic.Vitals{SpO2Percent: f64(91)}, medic.VitalSpO2, medic.FlagCriticalLow},
		{"child SpO2 91 low", child7, medic.Vitals{SpO2Percent: f64(91)}, medic.VitalSpO2, medic.FlagLow},
		{"child SpO2 89 critical", child7, medic.Vitals{SpO2Percent: f64(89)}, medic.VitalSpO2, medic.FlagCriticalLow},

		// Glucose (ADA levels; BAPM for newborns).
		{"adult glucose 5.5 normal", adult, medic.Vitals{GlucoseMmolL: f64(5.5)}, medic.VitalGlucose, ""},
		{"adult glucose 3.9 normal", adult, medic.Vitals{GlucoseMmolL: f64(3.9)}, medic.VitalGlucose, ""},
		{"adult glucose 3.8 low", adult, medic.Vitals{GlucoseMmolL: f64(3.8)}, medic.VitalGlucose, medic.FlagLow},
		{"adult glucose 2.9 critical", adult, medic.Vitals{GlucoseMmolL: f64(2.9)}, medic.VitalGlucose, medic.FlagCriticalLow},
		{"adult glucose 11.1 high", adult, medic.Vitals{GlucoseMmolL: f64(11.1)}, medic.VitalGlucose, medic.FlagHigh},
		{"adult glucose 13.9 critical", adult, medic.Vitals{GlucoseMmolL: f64(13.9)}, medic.VitalGlucose, medic.FlagCriticalHigh},
		{"newborn glucose 3.0 normal", newborn, medic.Vitals{GlucoseMmolL: f64(3.0)}, medic.VitalGlucose, ""},
		{"newborn glucose 1.9 critical", newborn, medic.Vitals{GlucoseMmolL: f64(1.9)}, medic.VitalGlucose, medic.FlagCriticalLow},

		// BMI: adults only (WHO).
		{"adult BMI 22.9 normal", adult, medic.Vitals{WeightKg: f64(70), HeightCm: f64(175)}, medic.VitalBMI, ""},
		{"adult BMI 25.0 high", adult, medic.Vitals{WeightKg: f64(64), HeightCm: f64(160)}, medic.VitalBMI, medic.FlagHigh},
		{"adult BMI 18.4 low", adult, medic.Vitals{WeightKg: f64(47.1), HeightCm: f64(160)}, medic.VitalBMI, medic.FlagLow},
		{"adult BMI 41 critical", adult, medic.Vitals{WeightKg: f64(105), HeightCm: f64(160)}, medic.VitalBMI, medic.FlagCriticalHigh},
		{"child BMI not flagged", child7, medic.Vitals{WeightKg: f64(40), HeightCm: f64(120)}, medic.VitalBMI, ""},

		// Growth (WHO, under 5): a 6-month-old girl's -2 SD weight is 5.7 kg.
		{"infant weight 7.3 normal", infant, medic.Vitals{WeightKg: f64(7.3)}, medic.VitalWeight, ""},
		{"infant weight 5.5 low", infant, medic.Vitals{WeightKg: f64(5.5)}, medic.VitalWeight, medic.FlagLow},
		{"infant weight 10 high", infant, medic.Vitals{WeightKg: f64(10)}, medic.VitalWeight, medic.FlagHigh},
		{"infant length 60 low (stunted)", infant, medic.Vitals{HeightCm: f64(60)}, medic.VitalHeight, medic.FlagLow},
		{"adult weight not flagged", adult, medic.Vitals{WeightKg: f64(120)}, medic.VitalWeight, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.v
			if err := v.Validate(tc.subject, measuredOn); err != nil {
				t.Fatalf("refused: %v %v", err, medic.ErrorFields(err))
			}
			var got medic.FlagLevel
			var msg string
			for _, fl := range v.Flags(tc.subject, measuredOn) {
				if fl.Field == tc.field {
					got, msg = fl.Level, fl.Message
				}
			}
			if got != tc.want {
				t.Fatalf("%s flag = %q (%s), want %q", tc.field, got, msg, tc.want)
			}
			if got != "" && msg == "" {
				t.Fatal("flag without a message")
			}
		})
	}
}

func TestVitalsFlagMessage(t *testing.T) {
	v := medic.Vitals{SystolicMmHg: f64(182), DiastolicMmHg: f64(96)}
	if err := v.Validate(adult, measuredOn); err != nil {
		t.Fatal(err)
	}
	fl := v.Flags(adult, measuredOn)
	if len(fl) != 2 {
		t.Fatalf("flags = %+v", fl)
	}
	if want := "Systolic pressure 182 mmHg is critically high for an adult (180 or more"; !strings.HasPrefix(fl[0].Message, want) {
		t.Errorf("message %q, want it to start %q", fl[0].Message, want)
	}
}

func TestGrowthReferenceAt(t *testing.T) {
	p, ok := medic.GrowthReferenceAt(medic.GrowthWeight, medic.SexMale, 13.5)
	// Halfway between 12 (9.6) and 15 (10.3) months.
	if !ok || p.Median < 9.94 || p.Median > 9.96 {
		t.Fatalf("median at 13.5 months = %v, %v", p.Median, ok)
	}
	if _, ok := medic.GrowthReferenceAt(medic.GrowthWeight, medic.SexUnknown, 6); ok {
		t.Error("a reference for unknown sex")
	}
	if _, ok := medic.GrowthReferenceAt(medic.GrowthLength, medic.SexFemale, 61); ok {
		t.Error("a reference after 5 years")
	}
	for m, bySex := range map[medic.GrowthMeasure][]medic.Sex{medic.GrowthWeight: {medic.SexMale, medic.SexFemale}, medic.GrowthLength: {medic.SexMale, medic.SexFemale}} {
		for _, s := range bySex {
			pts := medic.GrowthReference(m, s)
			for i, p := range pts {
				if !(p.Minus2SD < p.Median && p.Median < p.Plus2SD) || (i > 0 && (p.Months <= pts[i-1].Months || p.Median <= pts[i-1].Median)) {
					t.Errorf("%s %s: point %d out of order: %+v", m, s, i, p)
				}
			}
		}
	}
}
