package web

import (
	"net/http"

	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// adminBackups shows the backups taken (by serve's schedule, by anxin backup
// and before migrations) and how each went, newest first, with the schedule.
func (s *Server) adminBackups(c echo.Context) error {
	recs, err := s.store.Backups(c.Request().Context(), "", 30)
	if err != nil {
		return err
	}
	p := views.AdminBackups{Dir: s.cfg.Backups.Dir, Every: s.cfg.Backups.Every, Keep: s.cfg.Backups.Keep}
	for _, r := range recs {
		p.Runs = append(p.Runs, views.BackupRun{Kind: backupKind(r.Kind), Started: r.Started, Finished: r.Finished,
			Path: r.Path, Bytes: r.Bytes, Tickets: r.Tickets, PhotoFiles: r.PhotoFiles, Error: r.Error})
	}
	return s.render(c, http.StatusOK, views.AdminBackupsView(p))
}

func backupKind(k store.BackupKind) views.BackupKind {
	switch k {
	case store.BackupScheduled:
		return views.BackupScheduled
	case store.BackupPreMigrate:
		return views.BackupPreMigrate
	default:
		return views.BackupManual
	}
}
