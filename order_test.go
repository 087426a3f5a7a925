package medic_test

import (
	"testing"

	"medic"
)

// TestComputeResultFlag: the abnormal flag is computed from the value and
// the range, at and around each bound; text results are flagged by hand.
func TestComputeResultFlag(t *testing.T) {
	for _, c := range []struct {
		name             string
		value, low, high *float64
		marked           bool
		want             medic.ResultFlag
	}{
		{"within the range", f64(5.4), f64(4), f64(6), false, medic.ResultNormal},
		{"at the lower bound", f64(4), f64(4), f64(6), false, medic.ResultNormal},
		{"at the upper bound", f64(6), f64(4), f64(6), false, medic.ResultNormal},
		{"just below", f64(3.99), f64(4), f64(6), false, medic.ResultLow},
		{"just above", f64(6.01), f64(4), f64(6), false, medic.ResultHigh},
		{"upper bound only, above", f64(7.2), nil, f64(5.2), false, medic.ResultHigh},
		{"upper bound only, below", f64(4.1), nil, f64(5.2), false, medic.ResultNormal},
		{"lower bound only, below", f64(50), f64(60), nil, false, medic.ResultLow},
		{"a range overrides the mark", f64(5), f64(4), f64(6), true, medic.ResultNormal},
		{"number without a range", f64(5), nil, nil, false, medic.ResultUnflagged},
		{"number without a range, marked", f64(5), nil, nil, true, medic.ResultAbnormal},
		{"text, not marked", nil, nil, nil, false, medic.ResultNormal},
		{"text, marked", nil, nil, nil, true, medic.ResultAbnormal},
		{"negative values", f64(-3), f64(-2), f64(2), false, medic.ResultLow},
	} {
		if got := medic.ComputeResultFlag(c.value, c.low, c.high, c.marked); got != c.want {
			t.Errorf("%s: flag %q, want %q", c.name, got, c.want)
		}
	}
}

// TestResultInput: what a user types becomes a result with its flag, or
// messages naming the field.
func TestResultInput(t *testing.T) {
	for _, c := range []struct {
		name     string
		in       medic.ResultInput
		flag     medic.ResultFlag
		badField string
	}{
		{"HbA1c high", medic.ResultInput{Value: "8.1", Unit: "%", RefLow: "4", RefHigh: "6.4"}, medic.ResultHigh, ""},
		{"decimal comma", medic.ResultInput{Value: "3,2", Unit: "mmol/L", RefLow: "3,5", RefHigh: "5,1"}, medic.ResultLow, ""},
		{"dipstick text", medic.ResultInput{Value: "Protein ++", RefText: "negative", Abnormal: true}, medic.ResultAbnormal, ""},
		{"report only", medic.ResultInput{Report: "No consolidation. Normal heart size."}, medic.ResultNormal, ""},
		{"nothing", medic.ResultInput{Unit: "g/dL"}, "", "value"},
		{"bound not a number", medic.ResultInput{Value: "5", RefLow: "four"}, "", "reference_low"},
		{"bounds reversed", medic.ResultInput{Value: "5", RefLow: "6", RefHigh: "4"}, "", "reference_high"},
		{"range for text", medic.ResultInput{Value: "trace", RefLow: "0", RefHigh: "1"}, "", "value"},
		{"control characters", medic.ResultInput{Value: "5\x00"}, "", "value"},
	} {
		r, err := c.in.Result()
		if c.badField != "" {
			if f := medic.ErrorFields(err); f[c.badField] == "" {
				t.Errorf("%s: want a message for %s, got %v", c.name, c.badField, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if r.Flag != c.flag {
			t.Errorf("%s: flag %q, want %q", c.name, r.Flag, c.flag)
		}
	}
}

func TestOrderValidate(t *testing.T) {
	o := &medic.Order{Kind: medic.OrderLab, Code: " fbc "}
	if err := o.Validate(); err != nil || o.Code != "FBC" || o.Description != "FBC" || o.Urgency != medic.OrderRoutine {
		t.Errorf("FBC: %v %+v", err, o)
	}
	for _, o := range []*medic.Order{{Kind: "blood", Code: "FBC"}, {Kind: medic.OrderLab}, {Kind: medic.OrderLab, Code: "FBC", Urgency: "asap"}} {
		if err := o.Validate(); medic.ErrorCode(err) != medic.EINVALID {
			t.Errorf("%+v: %v", o, err)
		}
	}
}
