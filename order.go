package medic

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OrderKind is what an order asks for: a laboratory test or imaging.
type OrderKind string

const (
	OrderLab     OrderKind = "lab"
	OrderImaging OrderKind = "imaging"
)

// OrderStatus is where an order stands. It moves ordered -> collected ->
// resulted -> reviewed; an order not yet resulted may be cancelled with a
// reason. Imaging needs no collection: a result may arrive straight after
// ordering.
type OrderStatus string

const (
	OrderOrdered   OrderStatus = "ordered"
	OrderCollected OrderStatus = "collected"
	OrderResulted  OrderStatus = "resulted"
	OrderReviewed  OrderStatus = "reviewed"
	OrderCancelled OrderStatus = "cancelled"
)

// OrderStatuses in the order an order goes through them.
var OrderStatuses = []OrderStatus{OrderOrdered, OrderCollected, OrderResulted, OrderReviewed, OrderCancelled}

// OutstandingOrderStatuses are the statuses of an order still waiting for
// its result (the practice's outstanding list).
var OutstandingOrderStatuses = []OrderStatus{OrderOrdered, OrderCollected}

// UnreviewedOrderStatuses are the statuses of an order still open on the
// chart: waiting for its result, or resulted and not yet reviewed (the
// chart summary's outstanding orders).
var UnreviewedOrderStatuses = []OrderStatus{OrderOrdered, OrderCollected, OrderResulted}

// Valid reports whether s is a known status.
func (s OrderStatus) Valid() bool { return slices.Contains(OrderStatuses, s) }

// Label is the status as the desk shows it.
func (s OrderStatus) Label() string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// OrderUrgency says how soon the result is needed.
type OrderUrgency string

const (
	OrderRoutine OrderUrgency = "routine"
	OrderUrgent  OrderUrgency = "urgent"
)

// Order is a lab or imaging order made at an encounter. New orders are made
// on a draft encounter only; results and status changes arrive after the
// visit, so they are allowed once the encounter is finished.
type Order struct {
	ID          string
	EncounterID string
	PatientID   string
	Kind        OrderKind
	Code        string // the test's short code (FBC, HBA1C, CXR) or the practice's own
	Description string
	Urgency     OrderUrgency
	Note        string // clinical information for the lab or radiologist
	Status      OrderStatus

	OrderedBy    string    // user id
	OrderedAt    time.Time // set by the store (now) unless given (the demo back-dates its history)
	CollectedBy  string
	CollectedAt  time.Time // zero until collected
	ResultedAt   time.Time // the first result's time
	ReviewedBy   string
	ReviewedAt   time.Time
	CancelledBy  string
	CancelledAt  time.Time
	CancelReason string

	// Joined for display.
	PatientName    string
	OrderedByName  string
	ReviewedByName string
	Results        []*OrderResult // oldest first; filled by FindOrder
}

// Outstanding reports whether the order still waits for its result.
func (o *Order) Outstanding() bool { return slices.Contains(OutstandingOrderStatuses, o.Status) }

// MaxOrderNote bounds an order's clinical note and a result's report.
const (
	MaxOrderNote    = 2000
	MaxResultReport = 20000
	MaxResultValue  = 200
)

// Validate checks the kind, code, description, urgency and note. The
// description defaults to the code.
func (o *Order) Validate() error {
	f := FieldErrors{}
	if o.Kind != OrderLab && o.Kind != OrderImaging {
		f.Add("kind", "Choose lab or imaging.")
	}
	o.Code = strings.ToUpper(strings.TrimSpace(o.Code))
	f.RequiredLine("code", &o.Code, 20, "Enter the test's code, or choose a common test.")
	f.Line("description", &o.Description, MaxShortText)
	if o.Description == "" {
		o.Description = o.Code
	}
	switch o.Urgency {
	case "":
		o.Urgency = OrderRoutine
	case OrderRoutine, OrderUrgent:
	default:
		f.Add("urgency", "Choose routine or urgent.")
	}
	f.MultiLine("note", &o.Note, MaxOrderNote)
	return f.Err()
}

// CommonTest is one entry of the order form's picklist.
type CommonTest struct {
	Kind        OrderKind
	Code        string
	Description string
}

// CommonTests is the short list of common primary-care tests the order form
// offers; any other code may be typed.
var CommonTests = []CommonTest{
	{OrderLab, "FBC", "Full blood count"},
	{OrderLab, "UE", "Urea, electrolytes and creatinine (U&E)"},
	{OrderLab, "HBA1C", "HbA1c"},
	{OrderLab, "LIPID", "Lipogram (fasting lipids)"},
	{OrderLab, "TSH", "Thyroid-stimulating hormone"},
	{OrderLab, "LFT", "Liver function tests"},
	{OrderLab, "CRP", "C-reactive protein"},
	{OrderLab, "FGLU", "Fasting plasma glucose"},
	{OrderLab, "UDIP", "Urine dipstick"},
	{OrderLab, "UMCS", "Urine microscopy, culture and sensitivity"},
	{OrderLab, "HIV", "HIV rapid test"},
	{OrderLab, "PSA", "Prostate-specific antigen"},
	{OrderImaging, "CXR", "Chest X-ray"},
	{OrderImaging, "USABD", "Ultrasound of the abdomen"},
	{OrderImaging, "USOBS", "Obstetric ultrasound"},
	{OrderImaging, "ECG", "12-lead ECG"},
}

// FindCommonTest returns the picklist entry with code, if any.
func FindCommonTest(code string) (CommonTest, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, t := range CommonTests {
		if t.Code == code {
			return t, true
		}
	}
	return CommonTest{}, false
}

// ResultFlag is how a result compares with its reference range.
type ResultFlag string

const (
	ResultUnflagged ResultFlag = ""         // a number without a range, not marked
	ResultNormal    ResultFlag = "normal"   // within the range (or a text result not marked abnormal)
	ResultLow       ResultFlag = "low"      // below the range
	ResultHigh      ResultFlag = "high"     // above the range
	ResultAbnormal  ResultFlag = "abnormal" // a text result (or report) marked abnormal
)

// Abnormal reports whether the flag asks for attention.
func (f ResultFlag) Abnormal() bool { return f == ResultLow || f == ResultHigh || f == ResultAbnormal }

// Words is the flag as the desk says it (beside its colour).
func (f ResultFlag) Words() string {
	switch f {
	case ResultLow:
		return "Low"
	case ResultHigh:
		return "High"
	case ResultAbnormal:
		return "Abnormal"
	case ResultNormal:
		return "Normal"
	}
	return "Not flagged"
}

// OrderResult is one result of an order: a value (a number compared with
// its reference range, or text such as "negative") and/or a free-text
// report (imaging). The flag is computed, never typed, except that a text
// result has no range to compare with and is marked abnormal by hand.
type OrderResult struct {
	ID       string
	OrderID  string
	Name     string // what was measured (Haemoglobin); the order's description if empty
	Value    string // as entered
	Numeric  *float64
	Unit     string
	RefLow   *float64
	RefHigh  *float64
	RefText  string // a range in words ("negative", "< 5.2")
	Abnormal bool   // marked abnormal by hand (text results and reports)
	Flag     ResultFlag
	Report   string

	EnteredBy     string
	EnteredByName string
	EnteredAt     time.Time
}

// ComputeResultFlag is the flag of a result: a number is compared with its
// range (below low: low, above high: high, else normal; without a bound on
// either side it is not flagged unless marked abnormal); a text value or a
// report is abnormal when marked so, else normal.
func ComputeResultFlag(numeric, low, high *float64, marked bool) ResultFlag {
	if numeric == nil {
		if marked {
			return ResultAbnormal
		}
		return ResultNormal
	}
	switch {
	case low != nil && *numeric < *low:
		return ResultLow
	case high != nil && *numeric > *high:
		return ResultHigh
	case low != nil || high != nil:
		return ResultNormal
	case marked:
		return ResultAbnormal
	}
	return ResultUnflagged
}

// parseNumber reads a decimal typed with a point or a comma; ok is false
// for text.
func parseNumber(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// ResultInput is a result as typed: the range bounds are text so that the
// messages can name what was wrong.
type ResultInput struct {
	Name, Value, Unit, RefLow, RefHigh, RefText, Report string
	Abnormal                                            bool
}

// Result checks in and builds the result with its flag: a value or a
// report is required; the bounds must be numbers with low <= high and are
// only for a numeric value.
func (in ResultInput) Result() (*OrderResult, error) {
	f := FieldErrors{}
	r := &OrderResult{Name: in.Name, Value: in.Value, Unit: in.Unit, RefText: in.RefText, Report: in.Report, Abnormal: in.Abnormal}
	f.Line("name", &r.Name, MaxShortText)
	f.Line("value", &r.Value, MaxResultValue)
	f.Line("unit", &r.Unit, 40)
	f.Line("reference_text", &r.RefText, MaxShortText)
	f.MultiLine("report", &r.Report, MaxResultReport)
	if r.Value == "" && r.Report == "" && f["value"] == "" {
		f.Add("value", "Enter the result's value, or a report.")
	}
	if v, ok := parseNumber(r.Value); ok {
		r.Numeric = &v
	}
	bound := func(field, s string) *float64 {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		v, ok := parseNumber(s)
		if !ok {
			f.Add(field, "Enter a number, such as 3.5.")
			return nil
		}
		return &v
	}
	r.RefLow, r.RefHigh = bound("reference_low", in.RefLow), bound("reference_high", in.RefHigh)
	if r.RefLow != nil && r.RefHigh != nil && *r.RefLow > *r.RefHigh {
		f.Add("reference_high", "The upper limit must not be below the lower one.")
	}
	if (r.RefLow != nil || r.RefHigh != nil) && r.Numeric == nil && f["value"] == "" && r.Value != "" {
		f.Add("value", "A range needs a numeric value; for a text result give the range in words.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	r.Flag = ComputeResultFlag(r.Numeric, r.RefLow, r.RefHigh, r.Abnormal)
	return r, nil
}

// RangeLabel is the reference range as the desk shows it.
func (r *OrderResult) RangeLabel() string {
	num := func(v *float64) string { return strconv.FormatFloat(*v, 'f', -1, 64) }
	switch {
	case r.RefLow != nil && r.RefHigh != nil:
		return num(r.RefLow) + "–" + num(r.RefHigh)
	case r.RefLow != nil:
		return "≥ " + num(r.RefLow)
	case r.RefHigh != nil:
		return "≤ " + num(r.RefHigh)
	}
	return r.RefText
}

// OrderFilter narrows an order listing; zero fields match all.
type OrderFilter struct {
	PatientID string
	// PatientIDs, when set, keeps the records of any of these charts (a
	// bulk export reads charts in batches).
	PatientIDs  []string
	EncounterID string
	OrderedBy   string // user id (results to review: the doctor's own orders)
	Statuses    []OrderStatus
	Kinds       []OrderKind
	Codes       []string // test codes (upper case)
	// OrderedFrom and OrderedBefore bound when it was ordered: [from, before).
	OrderedFrom, OrderedBefore time.Time
	// WithResults fills each listed order's results (FHIR maps them).
	WithResults bool
}

// ErrOrderStatus refuses a step the order's status does not allow (it
// moved on meanwhile, or the step is out of order).
func ErrOrderStatus(s OrderStatus, what string) error {
	return &Error{Code: ECONFLICT, Message: "This order is " + string(s) + ": it cannot be " + what + ". Reload to see where it stands."}
}

// OrderChange is a step of an order's life, applied if the order is still
// at one of From.
type OrderChange struct {
	From   []OrderStatus
	To     OrderStatus
	By     string    // user id
	At     time.Time // zero: now (the demo back-dates its history)
	Reason string    // cancelling
	What   string    // the step in words for the conflict message ("collected")
}

// OrderService stores the lab and imaging orders of the practice in
// context; ENOTFOUND for another practice's order, encounter or chart.
type OrderService interface {
	// CreateOrder adds o to a draft encounter (ErrEncounterFinished once
	// locked), taking the patient from it.
	CreateOrder(ctx context.Context, o *Order) error
	// FindOrder returns the order with its results.
	FindOrder(ctx context.Context, id string) (*Order, error)
	// ListOrders pages through orders: oldest first for outstanding lists
	// (the longest waiting on top), newest first otherwise.
	ListOrders(ctx context.Context, f OrderFilter, oldestFirst bool, p Page) ([]*Order, string, error)
	// CountOrders counts the orders f matches.
	CountOrders(ctx context.Context, f OrderFilter) (int, error)
	// ChangeOrder applies c if the order is at one of c.From (ECONFLICT
	// otherwise) and returns the order as it now is.
	ChangeOrder(ctx context.Context, id string, c OrderChange) (*Order, error)
	// AddOrderResult records r on an order that is ordered, collected or
	// resulted (ECONFLICT once reviewed or cancelled) and marks it resulted.
	AddOrderResult(ctx context.Context, r *OrderResult) (*Order, error)
}
