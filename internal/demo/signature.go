package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
)

// demoSignature is a pen stroke (a looping scribble) on white, as a PNG:
// the demo's doctors sign their prescriptions, letters and notes with it.
func demoSignature() []byte {
	const w, h = 300, 90
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	ink := color.Gray{Y: 0x20}
	for t := 0.0; t < 1; t += 0.0002 {
		x := 15 + t*270 + 12*math.Sin(t*40)
		y := 45 + 22*math.Sin(t*9)*math.Cos(t*23) - 8*t
		for dx := 0; dx < 2; dx++ {
			for dy := 0; dy < 2; dy++ {
				img.SetGray(int(x)+dx, int(y)+dy, ink)
			}
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // cannot fail on an in-memory image
	return b.Bytes()
}
