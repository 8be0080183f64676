/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "havenctl-common.h"

G_BEGIN_DECLS

int havenctl_bundle_keygen (const Command  *command,
                            int             argc,
                            char          **argv);
int havenctl_bundle_make   (const Command  *command,
                            int             argc,
                            char          **argv);
int havenctl_bundle_show   (const Command  *command,
                            int             argc,
                            char          **argv);

int havenctl_bundle_status (const Command  *command,
                            int             argc,
                            char          **argv);
int havenctl_bundle_fetch  (const Command  *command,
                            int             argc,
                            char          **argv);

G_END_DECLS
