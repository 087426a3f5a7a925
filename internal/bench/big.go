package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"medic"
	"medic/internal/auth"
)

// BigSlug is the slug of the large practice `medic bench http` adds beside
// the generated platform. It is outside SlugPrefix, so the scheduling
// scenarios of `medic bench` never sample it.
const BigSlug = "large-practice"

// bigPracticeNumber seeds the large practice; the platform's practices are
// numbered from 1.
const bigPracticeNumber = 0

// GenerateBig loads the large practice (BigSlug) with cfg's sizes, in one
// transaction as the owner, unless it exists, then analyzes the tables.
// Only PatientsPerPractice and the appointment settings of cfg count.
func GenerateBig(ctx context.Context, ownerURL string, cfg GenConfig, progress io.Writer) error {
	cfg = cfg.withDefaults()
	if progress == nil {
		progress = io.Discard
	}
	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("connect owner: %w", err)
	}
	defer pool.Close()
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM practices WHERE slug = $1)`, BigSlug).Scan(&exists); err != nil {
		return err
	}
	if exists {
		fmt.Fprintf(progress, "bench: practice %s exists; nothing to generate\n", BigSlug)
		return nil
	}
	start := time.Now()
	fmt.Fprintf(progress, "bench: generating practice %s with %d patients ...\n", BigSlug, cfg.PatientsPerPractice)
	p := buildPractice(cfg, bigPracticeNumber, BigSlug)
	if err := loadPractice(ctx, pool, p); err != nil {
		return fmt.Errorf("practice %s: %w", BigSlug, err)
	}
	if err := Analyze(ctx, pool); err != nil {
		return err
	}
	fmt.Fprintf(progress, "bench: %s loaded with %d patients and %d appointments in %s\n", BigSlug, len(p.patients), len(p.appointments),
		time.Since(start).Round(time.Second))
	return nil
}

// ensureUser makes an account the HTTP clients sign in as, with role in
// every practice in practiceIDs and password as its password: the
// receptionist (patients and appointments, nothing more) most scenarios
// work as, the doctor of the clinical ones. Written as the owner; the
// clients then sign in and make their token over HTTP like anyone else.
func ensureUser(ctx context.Context, conn *pgx.Conn, email, password string, role medic.Role, practiceIDs []string) error {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	var id string
	err = conn.QueryRow(ctx, `INSERT INTO users (email, name, password_hash) VALUES ($1, 'Bench HTTP ' || $3, $2)
		ON CONFLICT ((lower(email))) DO UPDATE SET password_hash = EXCLUDED.password_hash, status = 'active', totp_enabled = false
		RETURNING id::text`, email, hash, string(role)).Scan(&id)
	if err != nil {
		return fmt.Errorf("bench user: %w", err)
	}
	_, err = conn.Exec(ctx, `INSERT INTO members (practice_id, user_id, role) SELECT unnest($1::uuid[]), $2, $3
		ON CONFLICT (practice_id, user_id) DO UPDATE SET role = EXCLUDED.role, active = true`, practiceIDs, id, string(role))
	if err != nil {
		return fmt.Errorf("bench user's memberships: %w", err)
	}
	return nil
}
