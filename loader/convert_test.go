package loader

import "testing"

func TestDateParser(t *testing.T) {
	cases := []struct {
		format, in, want string // want "" = not a date
	}{
		{"", "2010-12-01 08:26:00", "2010-12-01 08:26:00"},
		{"", "2010-12-01 08:26", "2010-12-01 08:26:00"},
		{"", "2010-12-01", "2010-12-01 00:00:00"},
		{"", "2010-12-01T08:26:00", "2010-12-01 08:26:00"},
		{"", "2010-12-01 08:26:00.000", "2010-12-01 08:26:00"},
		{"", "2010-12-01T08:26:00+01:00", "2010-12-01 07:26:00"},
		{"", "12/1/2010 8:26", "2010-12-01 08:26:00"},
		{"", "3/4/2011 9:05", "2011-03-04 09:05:00"},
		{"", "12/01/2010 08:26:59", "2010-12-01 08:26:59"},
		{"", " 2010-12-01 ", "2010-12-01 00:00:00"},
		{"", "2010-13-45", ""},
		{"", "13/1/2010 8:26", ""},
		{"", "yesterday", ""},
		{"%d/%m/%Y %H:%M", "3/4/2011 9:05", "2011-04-03 09:05:00"},
		{"%d/%m/%Y %H:%M", "13/12/2010 10:00", "2010-12-13 10:00:00"},
		{"%d/%m/%Y %H:%M", "2010-12-01 08:26:00", "2010-12-01 08:26:00"},
		{"%d/%m/%Y %H:%M", "12/13/2010 10:00", ""}, // not read as US
		{"%d.%m.%y", "1.2.11", "2011-02-01 00:00:00"},
		{"%d %b %Y", "01 Dec 2010", "2010-12-01 00:00:00"},
		{"02/01/2006", "01/12/2010", "2010-12-01 00:00:00"},
	}
	for _, c := range cases {
		p := newDateParser(c.format)
		got, ok := p.parse(c.in)
		s := ""
		if ok {
			s = got.Format(timestampText)
		}
		if s != c.want {
			t.Errorf("format %q, %q: got %q, want %q", c.format, c.in, s, c.want)
		}
	}
}

func TestNumbersAndIDs(t *testing.T) {
	ints := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"6", 6, true}, {"-12", -12, true}, {"+3", 3, true}, {" 7 ", 7, true}, {"6.0", 6, true},
		{"80995", 80995, true}, {"6.5", 0, false}, {"abc", 0, false}, {"Inf", 0, false}, {"0x10", 0, false}, {"1_000", 0, false},
	}
	for _, c := range ints {
		if got, ok := parseInt(c.in); got != c.want || ok != c.ok {
			t.Errorf("parseInt(%q) = %d, %v, want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	floats := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"2.55", 2.55, true}, {"-11062.06", -11062.06, true}, {"1e3", 1000, true}, {"0", 0, true},
		{"x3.75", 0, false}, {"Inf", 0, false}, {"NaN", 0, false}, {"1e999", 0, false}, {"£2", 0, false},
	}
	for _, c := range floats {
		if got, ok := parseFloat(c.in); got != c.want || ok != c.ok {
			t.Errorf("parseFloat(%q) = %v, %v, want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	ids := map[string]string{"17850.0": "17850", "17850.00": "17850", "17850": "17850", "00001": "00001",
		"17850.5": "17850.5", "C536379.0": "C536379.0", ".0": ".0", "12.0x": "12.0x"}
	for in, want := range ids {
		if got := normalizeID(in); got != want {
			t.Errorf("normalizeID(%q) = %q, want %q", in, got, want)
		}
	}
}
