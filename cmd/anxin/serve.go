package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/jobs"
	"github.com/anxin-helpdesk/anxin/web"
	"github.com/anxin-helpdesk/anxin/web/metrics"
	"github.com/anxin-helpdesk/anxin/web/webhook"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	f := newFlags("serve")
	addr := f.str("addr", "127.0.0.1:8080", "address to listen on")
	dbPath := f.str("db", "./data/anxin.db", "database file (created if missing)")
	withDemo := f.boolean("demo", false, "seed demo data into an empty database and print the demo logins")
	tz := f.str("tz", "Asia/Shanghai", "time zone in which times are shown")
	hours := f.str("service-hours", anxin.DefaultServiceHours().String(), "daily hours (in --tz) within which replies to buyers are timed for the service norms")
	secure := f.boolean("secure-cookies", false, "mark cookies Secure (set when serving behind TLS)")
	logLevel := f.str("log-level", "info", "debug, info, warn or error")
	photoMB := f.integer("photo-max-mb", 10, "largest photo upload, in MB")
	photoMP := f.integer("photo-max-megapixels", 40, "largest photo, in megapixels (checked before it is decoded)")
	photoN := f.integer("photo-max-per-party", 9, "photos per ticket from each side (buyer, merchant)")
	refundUndo := f.duration("refund-undo", 10*time.Second, "how long a refund a person pressed may be undone before it goes to the payment system (0: at once)")
	provider := f.str("refund-provider", jobs.ProviderBuiltin, "who pays refunds: builtin (at once) or webhook (the payment system)")
	apiRate := f.str("api-rate", "50", "intake API requests per second per key (0: no limit)")
	allowPrivate := f.boolean("allow-private-webhooks", false, "let webhooks reach loopback and private-network addresses (payment systems on the internal network)")
	proxies := f.str("trusted-proxies", "", "reverse proxies whose X-Forwarded-For/-Proto are believed: CIDR,... (default none)")
	backupDir := f.str("backup-dir", "", "take backups on a schedule into this directory (default: none)")
	backupEvery := f.duration("backup-every", 24*time.Hour, "time between scheduled backups")
	backupKeep := f.integer("backup-keep", 7, "scheduled backups kept; older ones are removed")
	retain := f.str("retain-contact", "90d", "erase buyers' names and phones from tickets ended longer ago than this (0: keep them)")
	retainPhotosFlag := f.str("retain-photos", "365d", "delete evidence photos of tickets ended longer ago than this (0: keep them)")
	metricsAddr := f.str("metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics on a listener of their own, e.g. 127.0.0.1:9464 (default: off)")
	tlsCert := f.str("tls-cert", "", "serve HTTPS with this certificate (PEM, the chain after it); with --tls-key")
	tlsKey := f.str("tls-key", "", "the private key of --tls-cert (PEM)")
	if err := f.parse(args); err != nil {
		return err
	}
	retainContact, err := parseDays(*retain)
	if err != nil {
		return usageError{fmt.Sprintf("serve: --retain-contact: %v", err)}
	}
	retainPhotos, err := parseDays(*retainPhotosFlag)
	if err != nil {
		return usageError{fmt.Sprintf("serve: --retain-photos: %v", err)}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usageError{"serve: --tls-cert and --tls-key go together"}
	}
	if *backupEvery < time.Minute || *backupKeep < 1 {
		return usageError{"serve: --backup-every must be at least 1m and --backup-keep at least 1"}
	}
	if *photoMB < 1 || *photoMP < 1 || *photoN < 1 {
		return usageError{"serve: the photo limits must be at least 1"}
	}
	if *refundUndo < 0 || *refundUndo > time.Hour {
		return usageError{"serve: --refund-undo must be from 0 to 1h"}
	}
	if *provider != jobs.ProviderBuiltin && *provider != jobs.ProviderWebhook {
		return usageError{fmt.Sprintf("serve: --refund-provider must be builtin or webhook, not %q", *provider)}
	}
	rate, err := strconv.ParseFloat(*apiRate, 64)
	if err != nil || rate < 0 {
		return usageError{fmt.Sprintf("serve: --api-rate must be a number of requests per second, not %q", *apiRate)}
	}
	if rate == 0 {
		rate = -1 // web: a negative rate is no limit
	}
	zone, err := time.LoadLocation(*tz)
	if err != nil {
		return usageError{fmt.Sprintf("serve: unknown time zone %q", *tz)}
	}
	serviceHours, err := anxin.ParseServiceHours(*hours)
	if err != nil {
		return usageError{"serve: --service-hours: " + err.Error()}
	}
	trusted, err := parsePrefixes(*proxies)
	if err != nil {
		return usageError{"serve: --trusted-proxies: " + err.Error()}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usageError{fmt.Sprintf("serve: unknown log level %q", *logLevel)}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	var certs *certFiles
	if *tlsCert != "" {
		if certs, err = loadCertFiles(*tlsCert, *tlsKey, log); err != nil {
			return err
		}
	}

	// Take the ports before touching the database: a busy port then leaves
	// nothing created behind it.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	defer func() { _ = ln.Close() }() // for the early returns: Shutdown closes it after serving
	var mln net.Listener
	if *metricsAddr != "" {
		if mln, err = net.Listen("tcp", *metricsAddr); err != nil {
			return fmt.Errorf("cannot listen on %s for the metrics: %w", *metricsAddr, err)
		}
		defer func() { _ = mln.Close() }()
		if !loopback(mln.Addr()) {
			log.Warn("serving the metrics on an address other machines reach: they tell how much business goes through; "+
				"let a firewall admit only the Prometheus server", "metrics_addr", mln.Addr().String())
		}
	}
	if certs == nil && !loopback(ln.Addr()) && len(trusted) == 0 {
		log.Warn("serving plain HTTP on an address other machines reach: passwords and session cookies cross the network "+
			"in clear; serve behind a TLS proxy and name it in --trusted-proxies", "addr", ln.Addr().String())
	}
	var m *metrics.Metrics
	if mln != nil {
		m = metrics.New(metrics.Build{Version: version, Commit: stamp().Commit}, log)
	}
	if store.IsPostgres(*dbPath) && *backupDir != "" {
		return errors.New("serve: --backup-dir backs up a SQLite file; on PostgreSQL use pg_dump or PostgreSQL's replication (README: PostgreSQL)")
	}
	if store.IsPostgres(*dbPath) && os.Getenv("ANXIN_SESSION_KEY") == "" {
		return errors.New("serve: on PostgreSQL, every node must sign sessions with the same key: set ANXIN_SESSION_KEY " +
			"to 128 hex characters (openssl rand -hex 64 makes one), the same on every node")
	}
	cfg := storeConfig(*dbPath)
	cfg.Observer = m.Writes()
	cfg.Photos = photo.Options{Zone: zone, Limits: photo.Limits{
		MaxBytes: int64(*photoMB) << 20, MaxPixels: int64(*photoMP) * 1_000_000, MaxPerParty: *photoN}}
	cfg.Zone = zone
	if *withDemo {
		if err := seedDemo(ctx, *dbPath, cfg, stdout); err != nil {
			return err
		}
	}
	cfg.RefundUndo = *refundUndo // the demo's decisions are history: none waits
	st, err := store.Open(ctx, *dbPath, cfg)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	keys, err := sessionKeys(st.Dir())
	if err != nil {
		return err
	}
	srv := web.New(web.Config{
		SessionKeys:          keys,
		SecureCookies:        *secure || certs != nil,
		TrustedProxies:       trusted,
		AllowPrivateWebhooks: *allowPrivate,
		Zone:                 zone,
		ServiceHours:         serviceHours,
		Version:              version,
		Logger:               log,
		APIRate:              rate,
		Backups:              web.BackupSchedule{Dir: *backupDir, Every: *backupEvery, Keep: *backupKeep},
		Metrics:              m,
	}, st)
	// The scheduler (its first round catches up on deadlines that passed
	// while Anxin was down), the webhook sender and the scheduled backups;
	// stopped after the HTTP server, before the store closes.
	sch, err := jobs.NewScheduler(st, jobs.Config{RefundProvider: *provider, Logger: log, RetainContact: retainContact,
		RetainPhotos: retainPhotos})
	if err != nil {
		return err
	}
	sender := webhook.NewSender(st, webhook.Config{Logger: log, AllowPrivate: *allowPrivate})
	loops := []func(context.Context){sch.Run, sender.Run, searchBackfill(st, log)}
	if *backupDir != "" {
		b, err := jobs.NewBackups(st, jobs.BackupConfig{Dir: *backupDir, Every: *backupEvery, Keep: *backupKeep, Logger: log})
		if err != nil {
			return err
		}
		loops = append(loops, b.Run)
	}
	stopWorkers := background(ctx, loops...)
	defer stopWorkers()
	hs := httpServer(srv, log)
	hs.RegisterOnShutdown(srv.Close)
	errc := make(chan error, 2)
	scheme := "http"
	if certs != nil {
		scheme = "https"
		hs.TLSConfig = certs.tlsConfig()
		go func() { errc <- hs.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- hs.Serve(ln) }()
	}
	fmt.Fprintf(stdout, "Anxin %s is serving %s://%s (database %s)\nlog in at %s://%s/login\n",
		version, scheme, ln.Addr(), st.Path(), scheme, ln.Addr())
	var ms *http.Server
	if mln != nil {
		if err := m.Watch(metrics.Sources{Store: st, Scheduler: sch.Stats, Sender: sender.Stats, Fresh: metrics.DefaultFresh}); err != nil {
			return err
		}
		ms = metricsServer(m, log)
		go func() { errc <- ms.Serve(mln) }()
		fmt.Fprintf(stdout, "metrics at http://%s/metrics\n", mln.Addr())
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if ms != nil {
		if err := ms.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	servers := 1
	if ms != nil {
		servers++
	}
	for range servers {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	stopWorkers()
	return nil
}

// metricsServer serves /metrics alone, with the timeouts of the main
// server and a write timeout (a scrape is one short answer).
func metricsServer(m *metrics.Metrics, log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// searchBackfill indexes for search what a database from before the index
// holds, newest first, once, in the background: searches find those tickets
// as the batches land.
func searchBackfill(st *store.Store, log *slog.Logger) func(context.Context) {
	return func(ctx context.Context) {
		start := time.Now()
		tickets, messages, err := st.BackfillSearch(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("search index: backfill failed; it goes on at the next start", "err", err)
		case tickets+messages > 0:
			log.Info("search index: backfilled", "tickets", tickets, "messages", messages, "took", time.Since(start).Round(time.Millisecond))
		}
	}
}

// background runs each loop in a goroutine of its own until stop, which
// ends them and waits for the rounds at hand to finish. The loops do not
// end with ctx: a signal stops the HTTP server first, then them.
func background(ctx context.Context, loops ...func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for _, run := range loops {
		wg.Go(func() { run(ctx) })
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

// sessionKeys returns the cookie keys: ANXIN_SESSION_KEY (hex, 64 bytes) if
// set, else a key file beside the database, created on first start.
func sessionKeys(dir string) ([][]byte, error) {
	raw := strings.TrimSpace(os.Getenv("ANXIN_SESSION_KEY"))
	path := filepath.Join(dir, "session.key")
	if raw == "" {
		b, err := os.ReadFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			key := make([]byte, 64)
			rand.Read(key)
			raw = hex.EncodeToString(key)
			if err := os.WriteFile(path, []byte(raw+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("cannot write the session key: %w", err)
			}
		case err != nil:
			return nil, fmt.Errorf("cannot read the session key: %w", err)
		default:
			raw = strings.TrimSpace(string(b))
		}
	}
	key, err := hex.DecodeString(raw)
	if err != nil || len(key) != 64 {
		return nil, errors.New("the session key must be 64 bytes in hex (128 characters)")
	}
	return [][]byte{key[:32], key[32:]}, nil
}

// parsePrefixes reads a comma-separated list of CIDR prefixes; a bare
// address stands for itself alone.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR prefix", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// loopback reports whether the listener takes connections only from this
// machine.
func loopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// httpServer serves the handler with timeouts that a slow or silent client
// cannot hold a connection open past: its headers within 10 s, its whole
// request (photos included) within 5 minutes, and 2 minutes between
// requests. No write timeout: the live pages' event streams stay open.
func httpServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// parseDays reads a period as days ("90d") or a Go duration ("2160h"); "0"
// is none. A period under a day is refused: it would erase what agents are
// still working with.
func parseDays(v string) (time.Duration, error) {
	if v == "0" {
		return 0, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days such as 90d", v)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, fmt.Errorf("%q is not a period such as 90d", v)
		}
	}
	if d < 24*time.Hour {
		return 0, fmt.Errorf("%q is under a day (0 keeps them)", v)
	}
	return d, nil
}
