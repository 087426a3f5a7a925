package app

import (
	"sync"
	"time"
)

var locations sync.Map // zone name -> *time.Location

// loadLocation caches time zones: LoadLocation reads the tz database each call.
func loadLocation(name string) (*time.Location, error) {
	if name == "" {
		name = "Africa/Johannesburg"
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, l)
	return l, nil
}
