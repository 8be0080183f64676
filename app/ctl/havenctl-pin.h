/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "havenctl-common.h"

G_BEGIN_DECLS

int havenctl_pin_set   (const Command  *command,
                        int             argc,
                        char          **argv);
int havenctl_pin_clear (const Command  *command,
                        int             argc,
                        char          **argv);

G_END_DECLS
