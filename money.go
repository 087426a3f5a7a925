package medic

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is always integer cents with a currency (ISO 4217), never a float.

// DefaultCurrency and DefaultVATRateBP apply to a practice that has not set
// its own (South Africa: rand, VAT 15%).
const (
	DefaultCurrency  = "ZAR"
	DefaultVATRateBP = 1500 // basis points: 1500 = 15%
)

// MaxUnitCents bounds one unit price (R10 million) so that quantity times
// price never nears an int64's limit.
const MaxUnitCents = 1_000_000_000

// MaxLineQuantity bounds one line's quantity.
const MaxLineQuantity = 10000

// VATOf is the VAT on net cents at rate basis points, rounded half-up on
// cents (half away from zero for a negative amount, so a credit mirrors
// its invoice).
func VATOf(net int64, rateBP int) int64 {
	if net < 0 {
		return -VATOf(-net, rateBP)
	}
	return (net*int64(rateBP) + 5000) / 10000
}

// LineAmounts are one invoice line's figures in cents.
type LineAmounts struct {
	Gross    int64 // quantity x unit
	Discount int64
	Net      int64 // gross - discount
	VAT      int64 // on net, per line, half-up
	Total    int64 // net + VAT
}

// LineAmountsOf computes a line: quantity x unit less the discount, VAT on
// the rest when the line is vatable.
func LineAmountsOf(quantity int, unitCents, discountCents int64, vatable bool, rateBP int) LineAmounts {
	a := LineAmounts{Gross: int64(quantity) * unitCents, Discount: discountCents}
	a.Net = a.Gross - a.Discount
	if vatable {
		a.VAT = VATOf(a.Net, rateBP)
	}
	a.Total = a.Net + a.VAT
	return a
}

// FormatCents prints cents as an amount with two decimals and thousands
// spaces, as South Africa writes money ("R 1 234.50" for ZAR; "USD
// 1 234.50" otherwise).
func FormatCents(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	symbol := currency
	if currency == "ZAR" {
		symbol = "R"
	}
	return fmt.Sprintf("%s%s %s.%02d", sign, symbol, b.String(), cents%100)
}

// ParseCents reads an amount typed at the desk ("120", "120.5",
// "1 234.50", "R 99,95") as cents; ok is false for anything else,
// including more than two decimals.
func ParseCents(s string) (cents int64, ok bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "R"), "ZAR")
	s = strings.NewReplacer(" ", "", "\u00a0", "", ",", ".").Replace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && (!dot || frac == "") || len(frac) > 2 || len(whole) > 13 {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	cents = w*100 + f
	if neg {
		cents = -cents
	}
	return cents, true
}

// CentsInput prints cents for a form field ("120.50"), ParseCents' inverse.
func CentsInput(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}
