package web

func (s *Server) adminRoutes() {}
