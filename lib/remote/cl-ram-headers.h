/* cl-ram-headers.h: the request headers of RAMOverHTTP in the OpenSCDP dialect (DESIGN §8): what the station's relay
 * sends and what the production service takes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_RAM_CONTENT_TYPE   "application/org.openscdp-content-mgt-response;version=1.0"
#define CL_RAM_ADMIN_PROTOCOL "openscdp-remote-admin/1.0"
/* what older clients send */
#define CL_RAM_ADMIN_PROTOCOL_GP "globalplatform-remote-admin/1.0"

/* 0 when a POST's Content-Type and X-Admin-Protocol (NULL: absent) are the dialect's; else the status to answer
 * (415 for another media type or version, 400 for another or no protocol) and in *why what was wrong. The media
 * type and parameter names are case-insensitive; a Content-Type without a version is taken as 1.0. */
guint cl_ram_headers_check (const char *content_type, const char *admin_protocol, char **why);

G_END_DECLS
