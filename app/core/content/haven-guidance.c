/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-guidance"

#include "config.h"

#include "haven-guidance.h"

/* Advice on one thing, such as keeping evidence of shared images, as steps
 * in the order a visitor follows them. Categories refer to it by id, so one
 * piece of advice serves several harms. The words are untranslated msgids. */
struct _HavenGuidance
{
  GObject parent_instance;

  char *id;
  char *title;
  GStrv steps;
};

G_DEFINE_FINAL_TYPE (HavenGuidance, haven_guidance, G_TYPE_OBJECT)

static void
haven_guidance_finalize (GObject *object)
{
  HavenGuidance *self = HAVEN_GUIDANCE (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->steps, g_strfreev);

  G_OBJECT_CLASS (haven_guidance_parent_class)->finalize (object);
}

static void
haven_guidance_class_init (HavenGuidanceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_guidance_finalize;
}

static void
haven_guidance_init (HavenGuidance *self)
{
}

HavenGuidance *
haven_guidance_new (const char         *id,
                    const char         *title,
                    const char * const *steps)
{
  HavenGuidance *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (steps != NULL, NULL);

  self = g_object_new (HAVEN_TYPE_GUIDANCE, NULL);
  self->id = g_strdup (id);
  self->title = g_strdup (title);
  self->steps = g_strdupv ((char **) steps);

  return self;
}

const char *
haven_guidance_get_id (HavenGuidance *self)
{
  g_return_val_if_fail (HAVEN_IS_GUIDANCE (self), NULL);

  return self->id;
}

const char *
haven_guidance_get_title (HavenGuidance *self)
{
  g_return_val_if_fail (HAVEN_IS_GUIDANCE (self), NULL);

  return self->title;
}

const char * const *
haven_guidance_get_steps (HavenGuidance *self)
{
  g_return_val_if_fail (HAVEN_IS_GUIDANCE (self), NULL);

  return (const char * const *) self->steps;
}
