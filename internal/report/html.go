package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// metaRow is one line of the metadata table.
type metaRow struct{ Key, Value string }

// card is one figure of the header; Detail, if any, follows Value in small
// type.
type card struct{ Key, Value, Detail string }

// profileRow is one line of the profile table, formatted.
type profileRow struct {
	Segment      int
	Name         string
	Color        template.CSS
	Customers    string
	Share        string
	RevenueShare string
	Features     []string // "mean / median" per feature column
}

type page struct {
	Title       string
	ModelRef    string
	Cards       []card
	Meta        []metaRow
	Features    []string
	Profiles    []profileRow
	Charts      []chart
	CentroidHdr []string
	Centroids   [][]string
}

func renderHTML(w io.Writer, in *Input, charts []chart) error {
	pg := page{Title: "Segmentation report", ModelRef: in.ModelRef, Charts: charts}
	if in.ModelRef != "" {
		pg.Title += ": " + in.ModelRef
	}
	m := in.Model
	if m != nil {
		pg.Cards = append(pg.Cards, card{Key: "segments (k)", Value: strconv.Itoa(m.K)})
		if m.TrainingRows > 0 {
			pg.Cards = append(pg.Cards, card{Key: "training customers", Value: thousands(m.TrainingRows)})
		}
		if _, ok := m.Metrics["silhouette"]; ok {
			// The figure large, how it was computed small: together
			// Model.SilhouetteText, as train and models show print it.
			v, how, _ := strings.Cut(m.SilhouetteText(), " ")
			pg.Cards = append(pg.Cards, card{Key: "silhouette", Value: v, Detail: how})
		}
		pg.Cards = append(pg.Cards, card{Key: "features", Value: strconv.Itoa(len(m.Features))})

		pg.Meta = append(pg.Meta,
			metaRow{"model", in.ModelRef},
			metaRow{"kind", m.Kind},
			metaRow{"k", strconv.Itoa(m.K)},
			metaRow{"features", strings.Join(m.Features, ", ")},
			metaRow{"transform", m.Transform},
			metaRow{"scaler", scalerText(m.Scaler.Method)},
		)
		keys := make([]string, 0, len(m.Metrics))
		for k := range m.Metrics {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := fmtFloat(m.Metrics[k])
			if k == "silhouette" {
				v = m.SilhouetteText()
			}
			pg.Meta = append(pg.Meta, metaRow{"metric: " + strings.ReplaceAll(k, "_", " "), v})
		}
		if m.SilhouetteSampleSize > 0 && m.SilhouetteSampleSize < m.TrainingRows {
			pg.Meta = append(pg.Meta, metaRow{"silhouette sample", fmt.Sprintf("%s of %s customers", thousands(m.SilhouetteSampleSize), thousands(m.TrainingRows))})
		}
		pg.Meta = append(pg.Meta,
			metaRow{"training rows", thousands(m.TrainingRows)},
			metaRow{"seed, restarts", fmt.Sprintf("%d, %d", m.Seed, m.NInit)},
			metaRow{"fingerprint", m.Fingerprint},
		)
		if m.KSelectionReason != "" {
			pg.Meta = append(pg.Meta, metaRow{"k selection", m.KSelectionReason})
		}
		if len(m.CentroidsOriginal) == m.K {
			pg.CentroidHdr = m.Features
			for c, row := range m.CentroidsOriginal {
				cells := []string{in.segmentName(c)}
				for _, v := range row {
					cells = append(cells, fmtFloat(v))
				}
				pg.Centroids = append(pg.Centroids, cells)
			}
		}
	} else if in.ModelRef != "" {
		pg.Meta = append(pg.Meta, metaRow{"model", in.ModelRef})
	}
	extra := make([]string, 0, len(in.Meta))
	for k := range in.Meta {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	for _, k := range extra {
		pg.Meta = append(pg.Meta, metaRow{k, in.Meta[k]})
	}

	pg.Features = profileFeatures(in)
	for _, p := range profilesByID(in) {
		row := profileRow{
			Segment:      p.Segment,
			Name:         in.segmentName(p.Segment),
			Color:        template.CSS(hexColor(p.Segment)),
			Customers:    thousands(p.Customers),
			Share:        pct(p.Share),
			RevenueShare: pct(p.RevenueShare),
		}
		for _, f := range pg.Features {
			mean, okM := p.Mean[f]
			med, okD := p.Median[f]
			cell := "–"
			switch {
			case okM && okD:
				cell = fmtFloat(mean) + " / " + fmtFloat(med)
			case okM:
				cell = fmtFloat(mean)
			case okD:
				cell = "– / " + fmtFloat(med)
			}
			row.Features = append(row.Features, cell)
		}
		pg.Profiles = append(pg.Profiles, row)
	}
	return pageTemplate.Execute(w, pg)
}

// profileFeatures lists the feature columns of the profile table: the
// model's features first, then any other feature the profiles carry.
func profileFeatures(in *Input) []string {
	var out []string
	seen := map[string]bool{}
	if in.Model != nil {
		for _, f := range in.Model.Features {
			out, seen[f] = append(out, f), true
		}
	}
	var more []string
	for _, p := range in.Profiles {
		for _, m := range []map[string]float64{p.Mean, p.Median} {
			for f := range m {
				if !seen[f] {
					more, seen[f] = append(more, f), true
				}
			}
		}
	}
	sort.Strings(more)
	return append(out, more...)
}

func scalerText(method string) string {
	switch method {
	case "standard":
		return "standard (mean, population standard deviation)"
	case "robust":
		return "robust (median, interquartile range)"
	}
	return method
}

func hexColor(id int) string {
	c := segColor(id)
	return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
}

func pct(v float64) string {
	if !finite(v) {
		return "–"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
}

// fmtFloat shows a value with sensible precision for a table: thousands
// separators for large numbers, up to 4 significant decimals for small.
func fmtFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'f', -1, 64)
	case math.Abs(v) >= 1000:
		return thousandsF(v)
	case math.Abs(v) >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 4-int(math.Max(0, math.Floor(math.Log10(math.Abs(v)))+1)), 64)
}

func thousands(n int) string { return thousandsF(float64(n)) }

// thousandsF rounds v to an integer and groups its digits by three with a
// narrow no-break space, for the page.
func thousandsF(v float64) string { return groupDigits(v, '\u202f') }

// chartCount groups n's digits with commas, for the charts (the embedded
// font has no narrow no-break space).
func chartCount(n int) string { return groupDigits(float64(n), ',') }

// groupDigits rounds v to an integer and groups its digits by three with sep.
func groupDigits(v float64, sep rune) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

var pageTemplate = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="custseg report">
<title>{{.Title}}</title>
<style>
  :root { --ink: #222; --muted: #666; --rule: #ddd; --bg: #fafafa; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; color: var(--ink); background: #fff; }
  header { padding: 24px 32px 8px; border-bottom: 1px solid var(--rule); background: var(--bg); }
  h1 { font-size: 24px; margin: 0 0 12px; }
  h2 { font-size: 19px; margin: 32px 0 8px; }
  main { padding: 0 32px 48px; max-width: 1600px; }
  .cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 16px; }
  .card { background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: 8px 16px; min-width: 140px; }
  .card .v { font-size: 22px; font-weight: 600; }
  .card .v small { font-size: 13px; font-weight: 400; color: var(--muted); }
  .card .k { color: var(--muted); font-size: 13px; }
  table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
  th, td { border-bottom: 1px solid var(--rule); padding: 5px 12px; text-align: left; vertical-align: top; }
  th { background: var(--bg); font-weight: 600; }
  td.num, th.num { text-align: right; }
  table.meta th { width: 14em; }
  .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 24px 32px; }
  figure { margin: 0; }
  figure.wide { grid-column: 1 / -1; }
  figure img { display: block; width: 100%; max-width: 780px; height: auto; border: 1px solid var(--rule); }
  figure.wide img { max-width: 1000px; }
  figcaption { color: var(--muted); font-size: 13.5px; margin-top: 6px; max-width: 780px; }
  .note { border: 1px dashed #bbb; background: var(--bg); border-radius: 6px; padding: 12px 16px; color: var(--muted); max-width: 780px; }
  .note b { color: var(--ink); }
  .hint { color: var(--muted); font-size: 13.5px; }
  footer { color: var(--muted); font-size: 12px; padding: 16px 32px; border-top: 1px solid var(--rule); }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{if .Cards}}<div class="cards">{{range .Cards}}<div class="card"><div class="v">{{.Value}}{{if .Detail}} <small>{{.Detail}}</small>{{end}}</div><div class="k">{{.Key}}</div></div>{{end}}</div>{{end}}
</header>
<main>
<h2 id="profiles">Segment profiles</h2>
{{if .Profiles}}
<p class="hint">Feature columns show mean / median per segment, in the original units.</p>
<table class="profiles">
<thead><tr><th class="num">#</th><th>Segment</th><th class="num">Customers</th><th class="num">Share</th><th class="num">Revenue share</th>{{range .Features}}<th class="num">{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Profiles}}<tr><td class="num">{{.Segment}}</td><td><span class="swatch" style="background: {{.Color}}"></span>{{.Name}}</td><td class="num">{{.Customers}}</td><td class="num">{{.Share}}</td><td class="num">{{.RevenueShare}}</td>{{range .Features}}<td class="num">{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{else}}<div class="note">No segment profiles were given.</div>{{end}}

<h2 id="charts">Charts</h2>
<div class="charts">
{{range .Charts}}<figure id="{{.ID}}"{{if .Wide}} class="wide"{{end}}>
{{if .File}}<img src="{{.File}}" alt="{{.Title}}">
<figcaption>{{.Caption}}</figcaption>
{{else}}<div class="note"><b>{{.Title}}</b>: not drawn. {{.Note}}</div>
{{end}}</figure>
{{end}}</div>

{{if .Centroids}}<h2 id="centroids">Segment centres</h2>
<p class="hint">Centroids mapped back to the original units (inverse scaling and transform).</p>
<table>
<thead><tr><th>Segment</th>{{range .CentroidHdr}}<th class="num">{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Centroids}}<tr>{{range $i, $c := .}}{{if eq $i 0}}<td>{{$c}}</td>{{else}}<td class="num">{{$c}}</td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table>{{end}}

<h2 id="model">Model</h2>
{{if .Meta}}<table class="meta">
{{range .Meta}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>
{{end}}</table>{{else}}<div class="note">No model metadata was given.</div>{{end}}
</main>
<footer>Generated by custseg. This page is self-contained: it needs no network and runs no script.</footer>
</body>
</html>
`))
