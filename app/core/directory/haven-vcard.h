/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The contact details of a service, nothing about the visitor. */
typedef struct {
  const char *name;
  const char *organization;
  const char * const *phones;
  const char *email;
  const char *url;
  const char *address;
  const char *note;
} HavenVCardContact;

char *haven_vcard_build (const HavenVCardContact *contact);

G_END_DECLS
