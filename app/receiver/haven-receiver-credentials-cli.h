/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `haven-receiver credentials add|list|revoke` and `haven-receiver audit
 * verify`; @argv[0] is "credentials" or "audit". Return the exit status. */
int haven_receiver_credentials_main (int    argc,
                                     char **argv);
int haven_receiver_audit_main       (int    argc,
                                     char **argv);

G_END_DECLS
