package dataset

import "strings"

// weatherRows is Quinlan's "play tennis" table as the C4.5 book prints it
// (Quinlan 1993, table 1-1, the values of Weka's weather.numeric.arff):
// outlook, temperature (°F), humidity (%), windy, play.
const weatherRows = `sunny 85 85 false no
sunny 80 90 true no
overcast 83 86 false yes
rainy 70 96 false yes
rainy 68 80 false yes
rainy 65 70 true no
overcast 64 65 true yes
sunny 72 95 false no
sunny 69 70 false yes
rainy 75 80 false yes
sunny 75 70 true yes
overcast 72 90 true yes
overcast 81 75 false yes
rainy 71 91 true no`

// weatherNominal are the categories of Quinlan's all-nominal table
// (Quinlan 1986, table 1), row for row.
var weatherNominal = [][2]string{
	{"hot", "high"}, {"hot", "high"}, {"hot", "high"}, {"mild", "high"}, {"cool", "normal"},
	{"cool", "normal"}, {"cool", "normal"}, {"mild", "high"}, {"cool", "normal"}, {"mild", "normal"},
	{"mild", "normal"}, {"mild", "high"}, {"hot", "normal"}, {"mild", "high"},
}

// Weather returns Quinlan's 14-day weather data, the textbook example of
// ID3, C4.5 and 1R, with temperature and humidity numeric (numeric = true,
// the C4.5 book's table) or categorical (the ID3 paper's table).
func Weather(numeric bool) *Dataset {
	d := &Dataset{Features: []Feature{{Name: "outlook", Type: Categorical}, {Name: "temperature", Type: Categorical},
		{Name: "humidity", Type: Categorical}, {Name: "windy", Type: Categorical}}}
	if numeric {
		d.Features[1].Type, d.Features[2].Type = Numeric, Numeric
	}
	for i, line := range strings.Split(weatherRows, "\n") {
		f := strings.Fields(line)
		row := []Value{Cat(f[0]), Cat(weatherNominal[i][0]), Cat(weatherNominal[i][1]), Cat(f[3])}
		if numeric {
			row[1], row[2] = Num(atof(f[1])), Num(atof(f[2]))
		}
		d.Rows = append(d.Rows, row)
		d.Labels = append(d.Labels, f[4])
	}
	return d
}

// atof reads the table's small integers.
func atof(s string) float64 {
	v := 0.0
	for _, c := range s {
		v = v*10 + float64(c-'0')
	}
	return v
}
