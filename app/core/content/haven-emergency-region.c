/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-emergency-region"

#include "config.h"

#include "haven-emergency-region.h"

/* The numbers to call and the places to go in one region, as
 * data/content/emergency.xml lists them: shown on the safety question and
 * again at the end of a visit. Each region says where its numbers come from
 * and when they were last checked, because a wrong number here is worse
 * than none. Labels are untranslated msgids; numbers and addresses are never
 * translated. */

typedef struct {
  char *kind;
  /* A phone number or a web address. */
  char *target;
  /* A link's service, as it names itself; NULL for a number. */
  char *name;
  char *label;
} Entry;

struct _HavenEmergencyRegion
{
  GObject parent_instance;

  char *code;
  char *name;
  char *source;
  char *checked;
  GArray *numbers;
  GArray *links;
};

G_DEFINE_FINAL_TYPE (HavenEmergencyRegion, haven_emergency_region, G_TYPE_OBJECT)

static void
entry_clear (gpointer data)
{
  Entry *entry = data;

  g_clear_pointer (&entry->kind, g_free);
  g_clear_pointer (&entry->target, g_free);
  g_clear_pointer (&entry->name, g_free);
  g_clear_pointer (&entry->label, g_free);
}

static void
haven_emergency_region_finalize (GObject *object)
{
  HavenEmergencyRegion *self = HAVEN_EMERGENCY_REGION (object);

  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->checked, g_free);
  g_clear_pointer (&self->numbers, g_array_unref);
  g_clear_pointer (&self->links, g_array_unref);

  G_OBJECT_CLASS (haven_emergency_region_parent_class)->finalize (object);
}

static void
haven_emergency_region_class_init (HavenEmergencyRegionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_emergency_region_finalize;
}

static void
haven_emergency_region_init (HavenEmergencyRegion *self)
{
  self->numbers = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->numbers, entry_clear);
  self->links = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->links, entry_clear);
}

/**
 * haven_emergency_region_new:
 * @code: an ISO 3166 code such as "GB" or "GB-LND", or "*" for the
 *   region-neutral numbers
 * @name: the region's name, for the operator (not translated)
 * @source: where the numbers were checked
 * @checked: when, as YYYY-MM-DD
 */
HavenEmergencyRegion *
haven_emergency_region_new (const char *code,
                            const char *name,
                            const char *source,
                            const char *checked)
{
  HavenEmergencyRegion *self;

  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (checked != NULL, NULL);

  self = g_object_new (HAVEN_TYPE_EMERGENCY_REGION, NULL);
  self->code = g_strdup (code);
  self->name = g_strdup (name);
  self->source = g_strdup (source);
  self->checked = g_strdup (checked);

  return self;
}

static void
add_entry (GArray     *entries,
           const char *kind,
           const char *target,
           const char *name,
           const char *label)
{
  Entry entry = { g_strdup (kind), g_strdup (target), g_strdup (name), g_strdup (label) };

  g_array_append_val (entries, entry);
}

void
haven_emergency_region_add_number (HavenEmergencyRegion *self,
                                   const char           *kind,
                                   const char           *value,
                                   const char           *label)
{
  g_return_if_fail (HAVEN_IS_EMERGENCY_REGION (self));
  g_return_if_fail (kind != NULL);
  g_return_if_fail (value != NULL);
  g_return_if_fail (label != NULL);

  add_entry (self->numbers, kind, value, NULL, label);
}

/**
 * haven_emergency_region_add_link:
 * @name: (nullable): the service's name, as it names itself
 */
void
haven_emergency_region_add_link (HavenEmergencyRegion *self,
                                 const char           *kind,
                                 const char           *url,
                                 const char           *name,
                                 const char           *label)
{
  g_return_if_fail (HAVEN_IS_EMERGENCY_REGION (self));
  g_return_if_fail (kind != NULL);
  g_return_if_fail (url != NULL);
  g_return_if_fail (label != NULL);

  add_entry (self->links, kind, url, name, label);
}

const char *
haven_emergency_region_get_code (HavenEmergencyRegion *self)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);

  return self->code;
}

const char *
haven_emergency_region_get_name (HavenEmergencyRegion *self)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);

  return self->name;
}

const char *
haven_emergency_region_get_source (HavenEmergencyRegion *self)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);

  return self->source;
}

const char *
haven_emergency_region_get_checked (HavenEmergencyRegion *self)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);

  return self->checked;
}

guint
haven_emergency_region_get_n_numbers (HavenEmergencyRegion *self)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), 0);

  return self->numbers->len;
}

static const Entry *
get_number (HavenEmergencyRegion *self,
            guint                 position)
{
  return &g_array_index (self->numbers, Entry, position);
}

const char *
haven_emergency_region_get_number_kind (HavenEmergencyRegion *self,
                                        guint                 position)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);
  g_return_val_if_fail (position < self->numbers->len, NULL);

  return get_number (self, position)->kind;
}

const char *
haven_emergency_region_get_number_value (HavenEmergencyRegion *self,
                                         guint                 position)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);
  g_return_val_if_fail (position < self->numbers->len, NULL);

  return get_number (self, position)->target;
}

const char *
haven_emergency_region_get_number_label (HavenEmergencyRegion *self,
                                         guint                 position)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);
  g_return_val_if_fail (position < self->numbers->len, NULL);

  return get_number (self, position)->label;
}

guint
haven_emergency_region_get_n_links (HavenEmergencyRegion *self)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), 0);

  return self->links->len;
}

static const Entry *
get_link (HavenEmergencyRegion *self,
          guint                 position)
{
  return &g_array_index (self->links, Entry, position);
}

const char *
haven_emergency_region_get_link_kind (HavenEmergencyRegion *self,
                                      guint                 position)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);
  g_return_val_if_fail (position < self->links->len, NULL);

  return get_link (self, position)->kind;
}

const char *
haven_emergency_region_get_link_url (HavenEmergencyRegion *self,
                                     guint                 position)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);
  g_return_val_if_fail (position < self->links->len, NULL);

  return get_link (self, position)->target;
}

const char *
haven_emergency_region_get_link_label (HavenEmergencyRegion *self,
                                       guint                 position)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);
  g_return_val_if_fail (position < self->links->len, NULL);

  return get_link (self, position)->label;
}

/**
 * haven_emergency_region_get_link_name:
 *
 * Returns: (nullable): the name of the service the link goes to, never
 *   translated
 */
const char *
haven_emergency_region_get_link_name (HavenEmergencyRegion *self,
                                      guint                 position)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (self), NULL);
  g_return_val_if_fail (position < self->links->len, NULL);

  return get_link (self, position)->name;
}
