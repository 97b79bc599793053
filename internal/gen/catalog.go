package gen

import "strconv"

// product is one catalogue entry. Prices are whole pence so that a price is
// printed exactly and never drifts between invoices.
type product struct {
	code  string
	desc  string
	pence int64
}

var (
	descAdjectives = []string{"VINTAGE", "RETRO", "REGENCY", "SWEETHEART", "JUMBO", "SMALL", "LARGE",
		"HANGING", "KNITTED", "ANTIQUE", "PAPER", "GLASS", "WOODEN", "ENAMEL", "CERAMIC", "PARTY",
		"CHRISTMAS", "FAIRY", "ROSE", "SPOTTY", "STRIPEY", "FLORAL", "HEART", "STAR", "BIRD"}
	descColours = []string{"WHITE", "RED", "PINK", "BLUE", "GREEN", "IVORY", "CREAM", "BLACK",
		"SILVER", "GOLD", "PASTEL", "LILAC", "ORANGE", "YELLOW"}
	descNouns = []string{"T-LIGHT HOLDER", "LANTERN", "COAT HANGER", "HOT WATER BOTTLE", "MUG",
		"TEA CUP AND SAUCER", "LUNCH BAG", "CAKE STAND", "BUNTING", "PHOTO FRAME", "CANDLE",
		"DOORSTOP", "CUSHION COVER", "NOTEBOOK", "WRAP", "TINS", "PLASTERS IN TIN", "ALARM CLOCK",
		"CHARLOTTE BAG", "BAKING SET", "STORAGE JAR", "RIBBONS", "BOTTLE OPENER", "METAL SIGN"}
	// Shelf prices in pence, most popular first: the UCI data's common
	// prices (1.25, 1.65, 0.85, 2.95, 0.42, 4.95, ...).
	shelfPence  = []int64{125, 165, 85, 295, 42, 495, 375, 210, 246, 208, 83, 413, 145, 195, 255, 163, 329, 39, 595, 55, 795, 1275, 1695}
	shelfWeight = []float64{10, 8, 6, 6, 5, 4, 4, 3.5, 3.4, 3.4, 3.3, 3, 2.6, 2.6, 2.6, 2.4, 2.3, 1.6, 1.6, 1.5, 1, 0.6, 0.3}
)

// postage is the per-order shipping line foreign customers pay, as in the
// UCI data (stock code POST).
var postage = product{code: "POST", desc: "POSTAGE", pence: 1800}

// newCatalog builds n products. Index 0 is the most popular (see pickProduct).
// About 3% of descriptions hold a comma and 2% a double quote so that a
// writer's quoting is exercised; 10% end in a space, as in the UCI data.
func newCatalog(n int, seed uint64) []product {
	r := newRNG(seed ^ 0x636174616c6f67) // "catalog"
	shelf := cumulative(shelfWeight)
	out := make([]product, n)
	for i := range out {
		code := strconv.Itoa(20000 + i)
		if r.chance(0.2) {
			code += string(rune('A' + r.intn(6)))
		}
		adj := descAdjectives[r.intn(len(descAdjectives))]
		col := descColours[r.intn(len(descColours))]
		noun := descNouns[r.intn(len(descNouns))]
		var desc string
		switch u := r.float64(); {
		case u < 0.03:
			desc = adj + " " + noun + "," + col
		case u < 0.05:
			desc = noun + " " + strconv.Itoa(r.between(4, 12)) + `" ` + col
		case u < 0.45:
			desc = adj + " " + noun
		default:
			desc = col + " " + adj + " " + noun
		}
		if r.chance(0.1) {
			desc += " "
		}
		pence := shelfPence[r.pickWeighted(shelf)]
		if r.chance(0.01) {
			pence = int64(r.between(15, 60)) * 100 // furniture and the like
		}
		out[i] = product{code: code, desc: desc, pence: pence}
	}
	return out
}

// pickProduct draws a catalogue index with a skewed popularity: index
// ⌊n·u²⌋ for uniform u, so P(index < k) = √(k/n) — the top 1% of
// products take 10% of the lines.
func pickProduct(r *rng, n int) int {
	u := r.float64()
	return int(float64(n) * u * u)
}

type country struct {
	name   string
	weight float64
}

// countries of the customers, weighted roughly as in the UCI data.
var countries = []country{
	{"United Kingdom", 86}, {"Germany", 2.5}, {"France", 2.2}, {"EIRE", 1.8}, {"Spain", 0.8},
	{"Netherlands", 0.7}, {"Belgium", 0.6}, {"Switzerland", 0.5}, {"Portugal", 0.4},
	{"Australia", 0.4}, {"Norway", 0.3}, {"Italy", 0.3}, {"Channel Islands", 0.2},
	{"Finland", 0.2}, {"Sweden", 0.2}, {"Japan", 0.1},
}
