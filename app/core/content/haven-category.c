/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-category"

#include "config.h"

#include "haven-category.h"

/* One answer to "what happened", as data/content/categories.xml defines it.
 * The words are the untranslated msgids: the kiosk translates them with
 * g_dgettext (GETTEXT_PACKAGE, …) when it shows them, so that a language
 * switch needs no reload. */
struct _HavenCategory
{
  GObject parent_instance;

  char *id;
  char *title;
  char *summary;
  GStrv examples;
  GStrv taxonomy_terms;
  GStrv guidance_ids;

  gboolean removable;
  gboolean about_child;
};

G_DEFINE_FINAL_TYPE (HavenCategory, haven_category, G_TYPE_OBJECT)

static void
haven_category_finalize (GObject *object)
{
  HavenCategory *self = HAVEN_CATEGORY (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->examples, g_strfreev);
  g_clear_pointer (&self->taxonomy_terms, g_strfreev);
  g_clear_pointer (&self->guidance_ids, g_strfreev);

  G_OBJECT_CLASS (haven_category_parent_class)->finalize (object);
}

static void
haven_category_class_init (HavenCategoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_category_finalize;
}

static void
haven_category_init (HavenCategory *self)
{
}

/* Lists are copied; a NULL list is kept as an empty one, so the getters
 * never return NULL. */
static GStrv
copy_list (const char * const *list)
{
  static const char * const empty[] = { NULL };

  return g_strdupv ((char **) (list != NULL ? list : empty));
}

HavenCategory *
haven_category_new (const char         *id,
                    const char         *title,
                    const char         *summary,
                    const char * const *examples,
                    gboolean            removable,
                    gboolean            about_child,
                    const char * const *taxonomy_terms,
                    const char * const *guidance_ids)
{
  HavenCategory *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (summary != NULL, NULL);

  self = g_object_new (HAVEN_TYPE_CATEGORY, NULL);
  self->id = g_strdup (id);
  self->title = g_strdup (title);
  self->summary = g_strdup (summary);
  self->examples = copy_list (examples);
  self->removable = removable;
  self->about_child = about_child;
  self->taxonomy_terms = copy_list (taxonomy_terms);
  self->guidance_ids = copy_list (guidance_ids);

  return self;
}

const char *
haven_category_get_id (HavenCategory *self)
{
  g_return_val_if_fail (HAVEN_IS_CATEGORY (self), NULL);

  return self->id;
}

const char *
haven_category_get_title (HavenCategory *self)
{
  g_return_val_if_fail (HAVEN_IS_CATEGORY (self), NULL);

  return self->title;
}

const char *
haven_category_get_summary (HavenCategory *self)
{
  g_return_val_if_fail (HAVEN_IS_CATEGORY (self), NULL);

  return self->summary;
}

const char * const *
haven_category_get_examples (HavenCategory *self)
{
  g_return_val_if_fail (HAVEN_IS_CATEGORY (self), NULL);

  return (const char * const *) self->examples;
}

/* Whether the kiosk offers a content-removal request for this harm. */
gboolean
haven_category_is_removable (HavenCategory *self)
{
  g_return_val_if_fail (HAVEN_IS_CATEGORY (self), FALSE);

  return self->removable;
}

/* Whether the harm is to a child: the kiosk then never accepts images or
 * files, only addresses (haven-api-v1.md). */
gboolean
haven_category_is_about_child (HavenCategory *self)
{
  g_return_val_if_fail (HAVEN_IS_CATEGORY (self), FALSE);

  return self->about_child;
}

const char * const *
haven_category_get_taxonomy_terms (HavenCategory *self)
{
  g_return_val_if_fail (HAVEN_IS_CATEGORY (self), NULL);

  return (const char * const *) self->taxonomy_terms;
}

const char * const *
haven_category_get_guidance_ids (HavenCategory *self)
{
  g_return_val_if_fail (HAVEN_IS_CATEGORY (self), NULL);

  return (const char * const *) self->guidance_ids;
}
