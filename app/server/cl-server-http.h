/* cl-server-http.h: cardline-server's HTTPS side (libsoup 3): POST /ram/<token> bodies go to the production
 * service's engine (lib/remote/cl-remote-service.h) on a worker thread each, so the main loop never blocks; the
 * session rides in the cookie "session". Bodies are bounded before they are read (Content-Length required, at
 * most CL_RAM_MAX_BODY); anything but POST to /ram/<token> is 404/405. */
#pragma once

#include <gio/gio.h>

#include "remote/cl-remote-service.h"

G_BEGIN_DECLS

#define CL_SERVER_PATH   "/ram/"
#define CL_SERVER_COOKIE "session"

typedef struct _ClServerHttp ClServerHttp;

/* Listens on address:port (port 0: any free one) with the certificate and key (PEM files). client_ca (PEM, or
 * NULL): mutual TLS, only known stations are served: a client must present a certificate issued by one of these
 * CAs (else 403, or no handshake at all). */
ClServerHttp *cl_server_http_new (ClRemoteService *service, const char *address, guint port, const char *cert_file,
                                  const char *key_file, const char *client_ca, GError **error);
/* The port it listens on. */
guint cl_server_http_get_port (ClServerHttp *self);
void cl_server_http_free (ClServerHttp *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClServerHttp, cl_server_http_free)

G_END_DECLS
