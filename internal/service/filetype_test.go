package service

import "testing"

func TestSniff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		head string
		want string // "" for refused
	}{
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"},
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"},
		{"gif87", "GIF87a\x01\x00", "image/gif"},
		{"gif89", "GIF89a\x01\x00", "image/gif"},
		{"webp", "RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"},
		{"pdf", "%PDF-1.7\n", "application/pdf"},
		{"wav", "RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"},
		{"flac", "fLaC\x00\x00\x00\x22", "audio/flac"},
		{"ogg", "OggS\x00\x02\x00\x00", "audio/ogg"},
		{"mp3 with ID3", "ID3\x04\x00\x00\x00\x00\x01\x00", "audio/mpeg"},
		{"mp3 frame", "\xff\xfb\x90\x64\x00", "audio/mpeg"},
		{"mpeg-2 layer III", "\xff\xf3\x48\xc4", "audio/mpeg"},
		{"exe", "MZ\x90\x00\x03\x00\x00\x00", ""},
		{"elf", "\x7fELF\x02\x01\x01", ""},
		{"html", "<!DOCTYPE html><script>", ""},
		{"svg", "<svg xmlns=", ""},
		{"zip", "PK\x03\x04", ""},
		{"riff of another form", "RIFF\x24\x00\x00\x00AVI LIST", ""},
		{"short riff", "RIFF", ""},
		{"mp2 frame (layer II)", "\xff\xfd\x90\x64", ""},
		{"mp3 bad bitrate", "\xff\xfb\xf0\x64", ""},
		{"mp3 reserved version", "\xff\xeb\x90\x64", ""},
		{"ID3 with bad size", "ID3\x04\x00\x00\x80\x00\x00\x00", ""},
		{"empty", "", ""},
		{"text", "hello", ""},
	}
	for _, tc := range tests {
		got, ok := sniff([]byte(tc.head))
		if ok != (tc.want != "") || got.mime != tc.want {
			t.Errorf("%s: sniff = %q, %v; want %q", tc.name, got.mime, ok, tc.want)
		}
	}
}

func TestCleanFileName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"map.png", "map.png"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\gm\map.png`, "map.png"},
		{"a/b/", "b"},
		{"..", "file"},
		{"/", "file"},
		{"", "file"},
		{"  ", "file"},
		{"tab\tand\x01control\x7f.png", "tabandcontrol.png"},
		{"nul\x00.png", "nul.png"},
		{"bad\xffutf8.png", "badutf8.png"},
		{"new\r\nline.png", "newline.png"},
		{"\u202egnp.exe", "gnp.exe"},
		{"zero\u200bwidth.png", "zerowidth.png"},
	}
	for _, tc := range tests {
		if got := cleanFileName(tc.in); got != tc.want {
			t.Errorf("cleanFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
