/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "havenctl-common.h"

G_BEGIN_DECLS

int havenctl_outbox_add   (const Command  *command,
                           int             argc,
                           char          **argv);
int havenctl_outbox_list  (const Command  *command,
                           int             argc,
                           char          **argv);
int havenctl_outbox_purge (const Command  *command,
                           int             argc,
                           char          **argv);
int havenctl_outbox_flush (const Command  *command,
                           int             argc,
                           char          **argv);
int havenctl_outbox_export_failed (const Command  *command,
                                   int             argc,
                                   char          **argv);

G_END_DECLS
