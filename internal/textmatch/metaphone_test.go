package textmatch

import (
	"strings"
	"testing"
)

// Published values. Unless marked otherwise they come from Apache
// commons-codec's DoubleMetaphone2Test (Stephen Woodbridge's surname list)
// and DoubleMetaphoneTest, chosen so that every rule of the algorithm is
// exercised at least once. PostgreSQL's fuzzystrmatch documentation gives
// dmetaphone('gumbo') = 'KMP'.
var doubleMetaphoneCases = []struct {
	in, primary, alternate string
}{
	// PostgreSQL documentation.
	{"gumbo", "KMP", "KMP"},

	// DoubleMetaphoneTest.testDoubleMetaphone.
	{"testing", "TSTN", "TSTN"},
	{"The", "0", "T"},
	{"quick", "KK", "KK"},
	{"brown", "PRN", "PRN"},
	{"fox", "FKS", "FKS"},
	{"jumped", "JMPT", "AMPT"},
	{"over", "AFR", "AFR"},
	{"lazy", "LS", "LS"},
	{"dogs", "TKS", "TKS"},
	{"MacCafferey", "MKFR", "MKFR"},
	{"Stephan", "STFN", "STFN"},
	{"Kuczewski", "KSSK", "KXFS"}, // alternate traced, only the primary is published
	{"McClelland", "MKLL", "MKLL"},
	{"san jose", "SNHS", "SNHS"},
	{"xenophobia", "SNFP", "SNFP"},
	{"Kutchefski", "KXFS", "KXFS"},
	{"Fokker", "FKR", "FKR"},
	{"Joqqi", "JK", "AK"},
	{"Hovvi", "HF", "HF"},
	{"Czerny", "SRN", "XRN"},

	// DoubleMetaphone2Test: names from the brief and the rule examples of
	// the original article.
	{"Thompson", "TMPS", "TMPS"},
	{"Smith", "SM0", "XMT"},
	{"schmidt", "XMT", "SMT"},
	{"Schneider", "XNTR", "SNTR"},
	{"snider", "SNTR", "XNTR"},
	{"Arnow", "ARN", "ARNF"},
	{"Arnoff", "ARNF", "ARNF"},
	{"ARCHITure", "ARKT", "ARKT"},
	{"DANGER", "TNJR", "TNKR"},
	{"RANGER", "RNJR", "RNKR"},
	{"MANGER", "MNJR", "MNKR"},
	{"Jankelowicz", "JNKL", "ANKL"},
	{"Yankelovich", "ANKL", "ANKL"},
	{"McHugh", "MK", "MK"},
	{"McLaughlin", "MKLF", "MKLF"},
	{"ORCHEStra", "ARKS", "ARKS"},
	{"ORCHID", "ARKT", "ARKT"},
	{"Pierce", "PRS", "PRS"},
	{"Schlesinger", "XLSN", "SLSN"},
	{"Uomo", "AM", "AM"},
	{"Womo", "AM", "FM"},
	{"Vasserman", "FSRM", "FSRM"},
	{"Wasserman", "ASRM", "FSRM"},
	{"accede", "AKST", "AKST"},
	{"accident", "AKST", "AKST"},
	{"adelsheim", "ATLS", "ATLS"},
	{"aged", "AJT", "AKT"},
	{"agio", "AJ", "AK"},
	{"album", "ALPM", "ALPM"},
	{"alcmene", "ALKM", "ALKM"},
	{"antique", "ANTK", "ANTK"},
	{"artois", "ART", "ARTS"},
	{"automation", "ATMX", "ATMX"},
	{"bacchus", "PKS", "PKS"},
	{"bacci", "PX", "PX"},
	{"bajador", "PJTR", "PHTR"},
	{"bellocchio", "PLX", "PLX"},
	{"bertucci", "PRTX", "PRTX"},
	{"biaggi", "PJ", "PK"},
	{"bough", "P", "P"},
	{"breaux", "PR", "PR"},
	{"broughton", "PRTN", "PRTN"},
	{"cabrillo", "KPRL", "KPR"},
	{"caesar", "SSR", "SSR"},
	{"cagney", "KKN", "KKN"},
	{"campbell", "KMPL", "KMPL"},
	{"carlisle", "KRLL", "KRLL"},
	{"chemistry", "KMST", "KMST"},
	{"chianti", "KNT", "KNT"},
	{"chorus", "KRS", "KRS"},
	{"cough", "KF", "KF"},
	{"deffenbacher", "TFNP", "TFNP"},
	{"dumb", "TM", "TM"},
	{"edgar", "ATKR", "ATKR"},
	{"edge", "AJ", "AJ"},
	{"filipowicz", "FLPT", "FLPF"},
	{"focaccia", "FKX", "FKX"},
	{"gallegos", "KLKS", "KKS"},
	{"geithain", "K0N", "JTN"},
	{"ghiradelli", "JRTL", "JRTL"},
	{"ghislane", "JLN", "JLN"},
	{"gough", "KF", "KF"},
	{"hartheim", "HR0M", "HRTM"},
	{"hochmeier", "HKMR", "HKMR"},
	{"hugh", "H", "H"},
	{"hunger", "HNKR", "HNJR"},
	{"island", "ALNT", "ALNT"},
	{"isle", "AL", "AL"},
	{"jose", "HS", "HS"},
	{"Josephine", "JSFN", "HSFN"},
	{"laugh", "LF", "LF"},
	{"mac caffrey", "MKFR", "MKFR"},
	{"mac gregor", "MKRK", "MKRK"},
	{"pegnitz", "PNTS", "PKNT"},
	{"piskowitz", "PSKT", "PSKF"},
	{"queen", "KN", "KN"},
	{"raspberry", "RSPR", "RSPR"},
	{"resnais", "RSN", "RSNS"},
	{"rogier", "RJ", "RJR"},
	{"rough", "RF", "RF"},
	{"san jacinto", "SNHS", "SNHS"},
	{"schenker", "XNKR", "SKNK"},
	{"schermerhorn", "XRMR", "SKRM"},
	{"school", "SKL", "SKL"},
	{"schooner", "SKNR", "SKNR"},
	{"schrozberg", "XRSP", "SRSP"},
	{"schulman", "XLMN", "XLMN"},
	{"schwabach", "XPK", "XFPK"},
	{"schwarzach", "XRSK", "XFRT"},
	{"succeed", "SKST", "SKST"},
	{"sugarcane", "XKRK", "SKRK"},
	{"svobodka", "SFPT", "SFPT"},
	{"tagliaro", "TKLR", "TLR"},
	{"thames", "TMS", "TMS"},
	{"theilheim", "0LM", "TLM"},
	{"thomas", "TMS", "TMS"},
	{"thumb", "0M", "TM"},
	{"tichner", "TXNR", "TKNR"},
	{"tough", "TF", "TF"},
	{"umbrella", "AMPR", "AMPR"},
	{"vilshofen", "FLXF", "FLXF"},
	{"von schuller", "FNXL", "FNXL"},
	{"wachtler", "AKTL", "FKTL"},
	{"wechsler", "AKSL", "FKSL"},
	{"weikersheim", "AKRS", "FKRS"},
	{"zhao", "J", "J"},
	{"Angier", "ANJ", "ANJR"},
	{"Bachelor", "PXLR", "PKLR"},
	{"Bigelow", "PJL", "PKLF"},
	{"Brzozowski", "PRSS", "PRTS"},
	{"Chevalier", "XFL", "XFLR"},
	{"Church", "XRX", "XRK"},
	{"Clothilde", "KL0L", "KLTL"},
	{"Cowperthwaite", "KPR0", "KPRT"},
	{"D'Aubigny", "TPN", "TPKN"},
	{"Eglinton", "AKLN", "ALNT"},
	{"Gerken", "KRKN", "JRKN"},
	{"Gibbs", "KPS", "JPS"},
	{"Giffard", "JFRT", "KFRT"},
	{"Houckgeest", "HKJS", "HKKS"},
	{"Knight", "NT", "NT"},
	{"Longespee", "LNJS", "LNKS"},
	{"Magnus", "MNS", "MKNS"},
	{"McIlroy", "MSLR", "MSLR"},
	{"Murchad", "MRXT", "MRKT"},
	{"Segersall", "SJRS", "SKRS"},
	{"Sergeaux", "SRJ", "SRK"},
	{"St. Leger", "STLJ", "STLK"},
	{"Swayze", "SS", "XTS"},
	{"Thwaits", "0TS", "TTS"},
	{"Ua Tuathail", "AT0L", "ATTL"},
	{"Wenzell", "ANSL", "FNTS"},
	{"Winthrop", "AN0R", "FNTR"},
	{"Wright", "RT", "RT"},
	{"de Lusignan", "TLSN", "TLSK"},
	{"di Saluzzo", "TSLS", "TSLT"},
	{"la Zouche", "LSX", "LSK"},
	{"of Chester", "AFXS", "AFKS"},

	// Derived by tracing the reference C code rule by rule; no published
	// value exists for these. Xavier: initial X -> S, V -> F, and a final R
	// after "IE" (not "MEIER"/"MAIER") is silent in the primary only.
	{"Xavier", "SF", "SFR"},
	// A final J adds nothing to the alternate in the PostgreSQL code
	// (commons-codec appends a space).
	{"Raj", "RJ", "R"},
}

func TestDoubleMetaphone(t *testing.T) {
	for _, tc := range doubleMetaphoneCases {
		p, a := DoubleMetaphone(tc.in)
		if p != tc.primary || a != tc.alternate {
			t.Errorf("DoubleMetaphone(%q) = %q, %q; want %q, %q", tc.in, p, a, tc.primary, tc.alternate)
		}
	}
}

func TestDoubleMetaphoneUnicode(t *testing.T) {
	tests := []struct{ in, same string }{
		{"Thálindra", "Thalindra"},
		{"ÉOWYN", "EOWYN"},
		{"Æthelred", "Aethelred"},
		{"Bjørn", "Bjorn"},
		{"Þórr", "Thorr"},
		{"Ｓｍｉｔｈ", "Smith"}, // fullwidth
		{"ﬁnrod", "finrod"},
		{"Dǖmb", "Dumb"}, // two stacked accents
		{"  Smith\t", "Smith"},
		{"smith", "SMITH"},
		{"van\tHelsing", "van Helsing"},
	}
	for _, tc := range tests {
		p1, a1 := DoubleMetaphone(tc.in)
		p2, a2 := DoubleMetaphone(tc.same)
		if p1 != p2 || a1 != a2 {
			t.Errorf("DoubleMetaphone(%q) = %q, %q; DoubleMetaphone(%q) = %q, %q", tc.in, p1, a1, tc.same, p2, a2)
		}
	}
	// The algorithm's own rules for C cedilla and N tilde (commons-codec
	// testCCedilla and testNTilde).
	for _, tc := range []struct{ in, want string }{{"ç", "S"}, {"Ç", "S"}, {"ñ", "N"}, {"Ñ", "N"}, {"Françoise", "FRNS"}} {
		if p, a := DoubleMetaphone(tc.in); p != tc.want || a != tc.want {
			t.Errorf("DoubleMetaphone(%q) = %q, %q; want %q", tc.in, p, a, tc.want)
		}
	}
}

func TestDoubleMetaphoneEmpty(t *testing.T) {
	for _, s := range []string{"", " ", "\t\n\r ", "!!!", "123", "日本"} {
		if p, a := DoubleMetaphone(s); p != "" || a != "" {
			t.Errorf("DoubleMetaphone(%q) = %q, %q; want empty keys", s, p, a)
		}
	}
}

func TestDoubleMetaphoneN(t *testing.T) {
	tests := []struct {
		in                 string
		maxLen             int
		primary, alternate string
	}{
		// commons-codec testSetMaxCodeLength.
		{"jumped", 3, "JMP", "AMP"},
		{"jumped", 4, "JMPT", "AMPT"},
		{"jumped", 0, "JMPT", "AMPT"},
		{"jumped", 1, "J", "A"},
		// Traced through the reference rules: TH -> 0/T, the W of
		// "MOONWHISPER" is silent but makes the name Slavo-Germanic, so the
		// final R is kept in both keys.
		{"Thalindra Moonwhisper", 0, "0LNTRMNSPR", "TLNTRMNSPR"},
		{"Thalindra Moonwhisper", -1, "0LNTRMNSPR", "TLNTRMNSPR"},
		{"Thalindra Moonwhisper", 6, "0LNTRM", "TLNTRM"},
	}
	for _, tc := range tests {
		p, a := DoubleMetaphoneN(tc.in, tc.maxLen)
		if p != tc.primary || a != tc.alternate {
			t.Errorf("DoubleMetaphoneN(%q, %d) = %q, %q; want %q, %q", tc.in, tc.maxLen, p, a, tc.primary, tc.alternate)
		}
	}
}

func TestDoubleMetaphoneAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _, _ = DoubleMetaphone("Thalindra") }); n > 1 {
		t.Errorf("DoubleMetaphone allocates %v times, want at most 1", n)
	}
}

const metaphoneAlphabet = "0AFHJKLMNPRSTX"

func FuzzDoubleMetaphone(f *testing.F) {
	for _, tc := range doubleMetaphoneCases {
		f.Add(tc.in)
	}
	for _, s := range []string{"", "ç", "Ñ", "Thálindra", "\xff", "X", "GH", "WITZ", "CAESAR", "SCH", "VAN ", "J", "MCC"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, a := DoubleMetaphone(s)
		fp, fa := DoubleMetaphoneN(s, 0)
		for _, key := range []string{p, a, fp, fa} {
			if strings.Trim(key, metaphoneAlphabet) != "" {
				t.Fatalf("DoubleMetaphone(%q): key %q has characters outside %q", s, key, metaphoneAlphabet)
			}
		}
		if len(p) > 4 || len(a) > 4 {
			t.Fatalf("DoubleMetaphone(%q) = %q, %q: longer than 4", s, p, a)
		}
		// A longer cap only lets the encoder keep going.
		if !strings.HasPrefix(fp, p) || !strings.HasPrefix(fa, a) {
			t.Fatalf("DoubleMetaphone(%q) = %q, %q is not a prefix of the uncapped %q, %q", s, p, a, fp, fa)
		}
		if isASCII(s) {
			if up, ua := DoubleMetaphone(strings.ToUpper(s)); up != p || ua != a {
				t.Fatalf("DoubleMetaphone is case-sensitive: %q -> %q, %q but upper -> %q, %q", s, p, a, up, ua)
			}
		}
	})
}

var benchKey string

func BenchmarkDoubleMetaphone(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"simple", "thalindra"},
		{"rules", "Schwarzenegger"},
		{"unicode", "Thálindra"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchKey, _ = DoubleMetaphone(bc.in)
			}
		})
	}
}

func BenchmarkDoubleMetaphoneN(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchKey, _ = DoubleMetaphoneN("Thalindra Moonwhisper of the Silver Grove", 0)
	}
}
