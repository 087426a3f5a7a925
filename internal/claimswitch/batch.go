package claimswitch

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"medic"
)

// The claim batch file format (docs/claims-switch.md): UTF-8 text, one
// record a line, fields separated by "|", the record type first. A field
// never holds "|" or a line break (they are replaced by a space).
//
//	H|MEDIC-CLAIMS|1|<batch id>
//	C|<idempotency key>|<reference>|<practice no>|<practitioner reg>|<service date>|<currency>
//	P|<scheme>|<plan>|<member no>|<dependant code>|<family name>|<given name>|<date of birth>
//	L|<line no>|<tariff code>|<quantity>|<amount cents>|<icd10;icd10>|<description>
//	T|<claims>|<lines>|<total cents>
//
// A C record is followed by its P record and its L records. The switch
// answers each claim with an acknowledgement file (A and R records) and,
// once the scheme pays, a remittance file (M and D records):
//
//	A|<idempotency key>|<claim ref>|<state>|<time RFC 3339>
//	R|<line no>|<reason code>|<message>
//	M|<idempotency key>|<claim ref>|<remittance id>|<claimed cents>|<paid cents>|<paid on>|<EFT reference>
//	D|<line no>|<claimed cents>|<paid cents>|<reason code>

// BatchFormat and BatchVersion head every batch file.
const (
	BatchFormat  = "MEDIC-CLAIMS"
	BatchVersion = "1"
)

// field makes a value safe for a record.
func field(s string) string {
	return strings.NewReplacer("|", " ", "\r", " ", "\n", " ").Replace(s)
}

func record(w io.Writer, fields ...string) {
	for i := range fields {
		fields[i] = field(fields[i])
	}
	fmt.Fprintln(w, strings.Join(fields, "|"))
}

func cents(n int64) string { return strconv.FormatInt(n, 10) }

// WriteBatch writes claims as one batch file.
func WriteBatch(w io.Writer, batchID string, claims ...*medic.ClaimSubmission) error {
	var b bytes.Buffer
	record(&b, "H", BatchFormat, BatchVersion, batchID)
	lines, total := 0, int64(0)
	for _, c := range claims {
		record(&b, "C", c.IdempotencyKey, c.Reference, c.PracticeNumber, c.PractitionerRegistration, dateText(c.ServiceDate), c.Currency)
		p := c.Patient
		record(&b, "P", p.Scheme, p.Plan, p.MemberNumber, p.DependentCode, p.FamilyName, p.GivenName, dateText(p.DateOfBirth))
		for i, l := range c.Lines {
			record(&b, "L", strconv.Itoa(i+1), l.TariffCode, strconv.Itoa(l.Quantity), cents(l.AmountCents),
				strings.Join(l.ICD10, ";"), l.Description)
			lines++
			total += l.AmountCents
		}
	}
	record(&b, "T", strconv.Itoa(len(claims)), strconv.Itoa(lines), cents(total))
	_, err := w.Write(b.Bytes())
	return err
}

// ParseBatch reads a batch file back, checking its header and trailer.
func ParseBatch(r io.Reader) (batchID string, claims []*medic.ClaimSubmission, err error) {
	recs, err := records(r)
	if err != nil {
		return "", nil, err
	}
	if len(recs) < 2 || recs[0][0] != "H" || len(recs[0]) != 4 || recs[0][1] != BatchFormat || recs[0][2] != BatchVersion {
		return "", nil, fmt.Errorf("claim batch: not a %s version %s file", BatchFormat, BatchVersion)
	}
	batchID = recs[0][3]
	var cur *medic.ClaimSubmission
	lines, total := 0, int64(0)
	for n, rec := range recs[1:] {
		bad := func(what string) error { return fmt.Errorf("claim batch: record %d (%s): %s", n+2, rec[0], what) }
		switch rec[0] {
		case "C":
			if len(rec) != 7 {
				return "", nil, bad("want 7 fields")
			}
			cur = &medic.ClaimSubmission{IdempotencyKey: rec[1], Reference: rec[2], PracticeNumber: rec[3],
				PractitionerRegistration: rec[4], ServiceDate: parseDate(rec[5]), Currency: rec[6]}
			claims = append(claims, cur)
		case "P":
			if len(rec) != 8 || cur == nil {
				return "", nil, bad("want 8 fields after a C record")
			}
			cur.Patient = medic.ClaimPatient{Scheme: rec[1], Plan: rec[2], MemberNumber: rec[3], DependentCode: rec[4],
				FamilyName: rec[5], GivenName: rec[6], DateOfBirth: parseDate(rec[7])}
		case "L":
			if len(rec) != 7 || cur == nil {
				return "", nil, bad("want 7 fields after a C record")
			}
			qty, err1 := strconv.Atoi(rec[3])
			amount, err2 := strconv.ParseInt(rec[4], 10, 64)
			if err1 != nil || err2 != nil {
				return "", nil, bad("quantity and amount are whole numbers")
			}
			var codes []string
			if rec[5] != "" {
				codes = strings.Split(rec[5], ";")
			}
			cur.Lines = append(cur.Lines, medic.ClaimLine{TariffCode: rec[2], Quantity: qty, AmountCents: amount, ICD10: codes, Description: rec[6]})
			lines++
			total += amount
		case "T":
			if len(rec) != 4 || n != len(recs)-2 {
				return "", nil, bad("the trailer is the last record, with 4 fields")
			}
			if rec[1] != strconv.Itoa(len(claims)) || rec[2] != strconv.Itoa(lines) || rec[3] != cents(total) {
				return "", nil, bad("the counts do not match the records")
			}
			return batchID, claims, nil
		default:
			return "", nil, bad("unknown record type")
		}
	}
	return "", nil, fmt.Errorf("claim batch: no trailer (a cut-off file)")
}

// WriteAck writes the switch's acknowledgement of one claim.
func WriteAck(w io.Writer, key string, r *medic.SwitchReply) error {
	var b bytes.Buffer
	record(&b, "A", key, r.Ref, string(r.State), r.At.UTC().Format(time.RFC3339))
	for _, x := range r.Rejections {
		record(&b, "R", strconv.Itoa(x.Line), x.Code, x.Message)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// ParseAck reads an acknowledgement file.
func ParseAck(r io.Reader) (key string, reply *medic.SwitchReply, err error) {
	recs, err := records(r)
	if err != nil {
		return "", nil, err
	}
	if len(recs) == 0 || recs[0][0] != "A" || len(recs[0]) != 5 {
		return "", nil, fmt.Errorf("claim acknowledgement: no A record first")
	}
	at, err := time.Parse(time.RFC3339, recs[0][4])
	if err != nil {
		return "", nil, fmt.Errorf("claim acknowledgement: time: %w", err)
	}
	reply = &medic.SwitchReply{Ref: recs[0][2], State: medic.SwitchState(recs[0][3]), At: at}
	for _, rec := range recs[1:] {
		if rec[0] != "R" || len(rec) != 4 {
			return "", nil, fmt.Errorf("claim acknowledgement: want R records with 4 fields")
		}
		line, err := strconv.Atoi(rec[1])
		if err != nil {
			return "", nil, fmt.Errorf("claim acknowledgement: line number %q", rec[1])
		}
		reply.Rejections = append(reply.Rejections, medic.ClaimRejection{Line: line, Code: rec[2], Message: rec[3]})
	}
	return recs[0][1], reply, nil
}

// WriteRemittanceFile writes a remittance for one claim.
func WriteRemittanceFile(w io.Writer, key string, r *medic.Remittance) error {
	var b bytes.Buffer
	record(&b, "M", key, r.Ref, r.ID, cents(r.ClaimedCents), cents(r.PaidCents), dateText(r.PaidOn), r.Reference)
	for _, l := range r.Lines {
		record(&b, "D", strconv.Itoa(l.Line), cents(l.ClaimedCents), cents(l.PaidCents), l.Reason)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// ParseRemittanceFile reads a remittance file.
func ParseRemittanceFile(r io.Reader) (key string, rem *medic.Remittance, err error) {
	recs, err := records(r)
	if err != nil {
		return "", nil, err
	}
	if len(recs) == 0 || recs[0][0] != "M" || len(recs[0]) != 8 {
		return "", nil, fmt.Errorf("remittance file: no M record first")
	}
	m := recs[0]
	claimed, err1 := strconv.ParseInt(m[4], 10, 64)
	paid, err2 := strconv.ParseInt(m[5], 10, 64)
	if err1 != nil || err2 != nil {
		return "", nil, fmt.Errorf("remittance file: amounts are whole cents")
	}
	rem = &medic.Remittance{Ref: m[2], ID: m[3], ClaimedCents: claimed, PaidCents: paid, PaidOn: parseDate(m[6]), Reference: m[7]}
	for _, rec := range recs[1:] {
		if rec[0] != "D" || len(rec) != 5 {
			return "", nil, fmt.Errorf("remittance file: want D records with 5 fields")
		}
		line, err1 := strconv.Atoi(rec[1])
		lc, err2 := strconv.ParseInt(rec[2], 10, 64)
		lp, err3 := strconv.ParseInt(rec[3], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return "", nil, fmt.Errorf("remittance file: D record numbers")
		}
		rem.Lines = append(rem.Lines, medic.RemittanceLine{Line: line, ClaimedCents: lc, PaidCents: lp, Reason: rec[4]})
	}
	return m[1], rem, nil
}

// records splits a file into records (blank lines skipped).
func records(r io.Reader) ([][]string, error) {
	var out [][]string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		out = append(out, strings.Split(line, "|"))
	}
	return out, sc.Err()
}
