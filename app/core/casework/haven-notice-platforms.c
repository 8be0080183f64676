/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-notice-platforms"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-notice-platforms.h"
#include "haven-paths.h"

/* A deployment edits this table by hand, and a notice built from a wrong
 * line would go to the wrong company or nowhere: so the whole file is
 * refused, with the line at fault named, rather than half of it used. */

G_DEFINE_QUARK (haven-notice-platforms-error-quark, haven_notice_platforms_error)

typedef struct {
  char     *id;
  gboolean  hotline;
  char     *name;
  char     *entity;
  char     *web_form;
  char     *email;
  char     *guidance;
  GStrv     hosts;
  GStrv     countries;
} Entry;

struct _HavenNoticePlatforms
{
  GObject     parent_instance;

  GHashTable *entries;      /* id -> Entry */
  GHashTable *hosts;        /* host -> platform id (owned by its Entry) */
  GPtrArray  *platform_ids; /* NULL-terminated, borrowed from entries */
  GPtrArray  *hotline_ids;
};

G_DEFINE_FINAL_TYPE (HavenNoticePlatforms, haven_notice_platforms, G_TYPE_OBJECT)

static const char * const platform_keys[] = {
  "name", "entity", "hosts", "web-form", "email", "guidance", NULL,
};
static const char * const hotline_keys[] = {
  "name", "entity", "countries", "web-form", "email", "guidance", NULL,
};

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->id);
  g_free (entry->name);
  g_free (entry->entity);
  g_free (entry->web_form);
  g_free (entry->email);
  g_free (entry->guidance);
  g_strfreev (entry->hosts);
  g_strfreev (entry->countries);
  g_free (entry);
}

static void
haven_notice_platforms_finalize (GObject *object)
{
  HavenNoticePlatforms *self = HAVEN_NOTICE_PLATFORMS (object);

  g_clear_pointer (&self->platform_ids, g_ptr_array_unref);
  g_clear_pointer (&self->hotline_ids, g_ptr_array_unref);
  g_clear_pointer (&self->hosts, g_hash_table_unref);
  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (haven_notice_platforms_parent_class)->finalize (object);
}

static void
haven_notice_platforms_class_init (HavenNoticePlatformsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haven_notice_platforms_finalize;
}

static void
haven_notice_platforms_init (HavenNoticePlatforms *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_free);
  self->hosts = g_hash_table_new (g_str_hash, g_str_equal);
  self->platform_ids = g_ptr_array_new ();
  self->hotline_ids = g_ptr_array_new ();
}

static gboolean
is_id (const char *id)
{
  if (id[0] == '\0')
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* Lower-case ASCII labels of letters, digits and inner hyphens, at least
 * two of them: a registrable name, never a bare top-level domain that
 * would claim every address under it. */
static gboolean
is_host_name (const char *host)
{
  g_auto(GStrv) labels = g_strsplit (host, ".", -1);

  if (g_strv_length (labels) < 2)
    return FALSE;
  for (guint i = 0; labels[i] != NULL; i++)
    {
      size_t length = strlen (labels[i]);

      if (length == 0 || length > 63 || labels[i][0] == '-' || labels[i][length - 1] == '-')
        return FALSE;
      for (const char *p = labels[i]; *p != '\0'; p++)
        if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
          return FALSE;
    }
  return TRUE;
}

static gboolean
is_https_address (const char *value)
{
  g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  const char *host;

  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0)
    return FALSE;
  host = g_uri_get_host (uri);
  return host != NULL && host[0] != '\0' && g_uri_get_userinfo (uri) == NULL;
}

static gboolean
is_email_address (const char *value)
{
  return g_regex_match_simple ("^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
                               "@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                               "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$",
                               value, 0, 0);
}

static char *
get_optional (GKeyFile   *file,
              const char *group,
              const char *key)
{
  g_autofree char *value = g_key_file_get_string (file, group, key, NULL);

  if (value == NULL)
    return NULL;
  g_strstrip (value);
  if (value[0] == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

static gboolean
check_keys (GKeyFile            *file,
            const char          *group,
            const char * const  *allowed,
            GError             **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (file, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (!g_strv_contains (allowed, keys[i]))
      {
        g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR,
                     HAVEN_NOTICE_PLATFORMS_ERROR_UNKNOWN_KEY,
                     /* Translators: the first %s is a group of the file, as in
                      * "Platform facebook"; the second a key, as in "hosts". */
                     _("[%s] in the notice platforms table has a key it does not know: “%s”."),
                     group, keys[i]);
        return FALSE;
      }
  return TRUE;
}

static gboolean
read_channels (GKeyFile    *file,
               const char  *group,
               Entry       *entry,
               GError     **error)
{
  const char *https_keys[] = { "web-form", "guidance" };
  char **https_values[] = { &entry->web_form, &entry->guidance };

  entry->name = get_optional (file, group, "name");
  if (entry->name == NULL)
    {
      g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR, HAVEN_NOTICE_PLATFORMS_ERROR_MISSING_KEY,
                   /* Translators: the first %s is a group, the second a key. */
                   _("[%s] in the notice platforms table has no “%s”."), group, "name");
      return FALSE;
    }
  entry->entity = get_optional (file, group, "entity");

  for (guint i = 0; i < G_N_ELEMENTS (https_keys); i++)
    {
      *https_values[i] = get_optional (file, group, https_keys[i]);
      if (*https_values[i] != NULL && !is_https_address (*https_values[i]))
        {
          g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR,
                       HAVEN_NOTICE_PLATFORMS_ERROR_BAD_CHANNEL,
                       /* Translators: the first %s is a key ("web-form"), the
                        * second a group, the third the value at fault. */
                       _("The %s of [%s] in the notice platforms table, “%s”, is not an https "
                         "address."),
                       https_keys[i], group, *https_values[i]);
          return FALSE;
        }
    }

  entry->email = get_optional (file, group, "email");
  if (entry->email != NULL && !is_email_address (entry->email))
    {
      g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR, HAVEN_NOTICE_PLATFORMS_ERROR_BAD_CHANNEL,
                   /* Translators: the first %s is a group, the second the value. */
                   _("The email of [%s] in the notice platforms table, “%s”, is not an email "
                     "address."),
                   group, entry->email);
      return FALSE;
    }
  return TRUE;
}

static GStrv
get_list (GKeyFile    *file,
          const char  *group,
          const char  *key,
          GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) values = g_key_file_get_string_list (file, group, key, NULL, NULL);
  guint count = 0;

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_strstrip (values[i]);
      if (values[i][0] != '\0')
        {
          g_strv_builder_add (builder, values[i]);
          count++;
        }
    }
  if (count == 0)
    {
      g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR, HAVEN_NOTICE_PLATFORMS_ERROR_MISSING_KEY,
                   _("[%s] in the notice platforms table has no “%s”."), group, key);
      return NULL;
    }
  return g_strv_builder_end (builder);
}

static gboolean
read_hosts (HavenNoticePlatforms  *self,
            GKeyFile              *file,
            const char            *group,
            Entry                 *entry,
            GError               **error)
{
  g_auto(GStrv) hosts = get_list (file, group, "hosts", error);

  if (hosts == NULL)
    return FALSE;

  for (guint i = 0; hosts[i] != NULL; i++)
    {
      /* Host names are compared without case, as DNS does; a final dot
       * names the same host. */
      char *host = g_ascii_strdown (hosts[i], -1);
      size_t length = strlen (host);

      if (length > 0 && host[length - 1] == '.')
        host[length - 1] = '\0';
      g_free (hosts[i]);
      hosts[i] = host;

      if (!is_host_name (host))
        {
          g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR, HAVEN_NOTICE_PLATFORMS_ERROR_BAD_HOST,
                       /* Translators: the first %s is a group, the second the value. */
                       _("[%s] in the notice platforms table lists “%s”, which is not a host "
                         "name."),
                       group, host);
          return FALSE;
        }
    }

  for (guint i = 0; hosts[i] != NULL; i++)
    {
      const char *owner = g_hash_table_lookup (self->hosts, hosts[i]);
      gboolean again = FALSE;

      for (guint j = 0; j < i && !again; j++)
        again = g_str_equal (hosts[j], hosts[i]);
      if (owner != NULL || again)
        {
          g_autofree char *first = g_strdup_printf ("Platform %s",
                                                    owner != NULL ? owner : entry->id);

          g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR,
                       HAVEN_NOTICE_PLATFORMS_ERROR_DUPLICATE_HOST,
                       /* Translators: the first %s is a host name, the others
                        * groups, as in "Platform facebook". */
                       _("The host “%s” is listed twice in the notice platforms table: under "
                         "[%s] and under [%s]."),
                       hosts[i], first, group);
          return FALSE;
        }
    }

  entry->hosts = g_steal_pointer (&hosts);
  for (guint i = 0; entry->hosts[i] != NULL; i++)
    g_hash_table_insert (self->hosts, entry->hosts[i], entry->id);
  return TRUE;
}

static gboolean
read_countries (GKeyFile    *file,
                const char  *group,
                Entry       *entry,
                GError     **error)
{
  g_auto(GStrv) countries = get_list (file, group, "countries", error);

  if (countries == NULL)
    return FALSE;

  for (guint i = 0; countries[i] != NULL; i++)
    {
      const char *code = countries[i];
      gboolean is_code = strlen (code) == 2 && g_ascii_isalpha (code[0]) &&
                         g_ascii_isalpha (code[1]);

      if (!is_code && !g_str_equal (code, "*"))
        {
          g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR,
                       HAVEN_NOTICE_PLATFORMS_ERROR_BAD_COUNTRY,
                       /* Translators: the first %s is a group, the second the value. */
                       _("[%s] in the notice platforms table lists “%s” among its countries, "
                         "which is neither a two-letter country code nor “*”."),
                       group, code);
          return FALSE;
        }
      for (char *p = countries[i]; *p != '\0'; p++)
        *p = g_ascii_toupper (*p);
    }
  entry->countries = g_steal_pointer (&countries);
  return TRUE;
}

static gboolean
read_group (HavenNoticePlatforms  *self,
            GKeyFile              *file,
            const char            *group,
            GError               **error)
{
  Entry *entry;
  const char *id;
  gboolean hotline;

  if (g_str_has_prefix (group, "Platform "))
    {
      id = group + strlen ("Platform ");
      hotline = FALSE;
    }
  else if (g_str_has_prefix (group, "Hotline "))
    {
      id = group + strlen ("Hotline ");
      hotline = TRUE;
    }
  else
    {
      id = NULL;
      hotline = FALSE;
    }

  if (id == NULL || !is_id (id) || g_hash_table_contains (self->entries, id))
    {
      g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR, HAVEN_NOTICE_PLATFORMS_ERROR_UNKNOWN_GROUP,
                   /* Translators: %s is the group at fault. "id" stands for a
                    * name in lower-case letters, digits and hyphens. */
                   _("The notice platforms table has a group it cannot use: [%s]. Each group is "
                     "[Platform id] or [Hotline id], with an id used once."),
                   group);
      return FALSE;
    }

  if (!check_keys (file, group, hotline ? hotline_keys : platform_keys, error))
    return FALSE;

  entry = g_new0 (Entry, 1);
  entry->id = g_strdup (id);
  entry->hotline = hotline;
  /* The table owns the entry from here, so a failure below frees it. */
  g_hash_table_insert (self->entries, entry->id, entry);

  if (!read_channels (file, group, entry, error))
    return FALSE;
  if (hotline)
    {
      if (!read_countries (file, group, entry, error))
        return FALSE;
      g_ptr_array_add (self->hotline_ids, entry->id);
    }
  else
    {
      if (!read_hosts (self, file, group, entry, error))
        return FALSE;
      g_ptr_array_add (self->platform_ids, entry->id);
    }
  return TRUE;
}

/**
 * haven_notice_platforms_new_from_data:
 * @data: the table, in the key-file format of data/notices/README.md
 * @length: its length, or -1 when it ends with a NUL
 *
 * Returns: (transfer full): the table, or NULL with @error naming the
 *   line at fault
 */
HavenNoticePlatforms *
haven_notice_platforms_new_from_data (const char  *data,
                                      gssize       length,
                                      GError     **error)
{
  g_autoptr(HavenNoticePlatforms) self = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_key_file_load_from_data (file, data, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR, HAVEN_NOTICE_PLATFORMS_ERROR_PARSE,
                   /* Translators: %s says why, in GLib's words. */
                   _("The notice platforms table cannot be read: %s"), local_error->message);
      return NULL;
    }

  self = g_object_new (HAVEN_TYPE_NOTICE_PLATFORMS, NULL);
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (!read_group (self, file, groups[i], error))
      return NULL;

  g_ptr_array_add (self->platform_ids, NULL);
  g_ptr_array_add (self->hotline_ids, NULL);
  return g_steal_pointer (&self);
}

/**
 * haven_notice_platforms_new_from_file:
 *
 * Reads a small file at once: the desk reads it when a caseworker asks
 * for notices, never on the way of a screen being drawn.
 *
 * Returns: (transfer full): the table, or NULL with @error set
 */
HavenNoticePlatforms *
haven_notice_platforms_new_from_file (const char  *path,
                                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, HAVEN_NOTICE_PLATFORMS_ERROR, HAVEN_NOTICE_PLATFORMS_ERROR_PARSE,
                   _("The notice platforms table cannot be read: %s"), local_error->message);
      return NULL;
    }
  return haven_notice_platforms_new_from_data (data, length, error);
}

HavenNoticePlatforms *
haven_notice_platforms_load_default (GError **error)
{
  g_autofree char *path = haven_paths_dup_notice_platforms ();

  return haven_notice_platforms_new_from_file (path, error);
}

const char * const *
haven_notice_platforms_get_platform_ids (HavenNoticePlatforms *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_PLATFORMS (self), NULL);

  return (const char * const *) self->platform_ids->pdata;
}

const char * const *
haven_notice_platforms_get_hotline_ids (HavenNoticePlatforms *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_PLATFORMS (self), NULL);

  return (const char * const *) self->hotline_ids->pdata;
}

const char *
haven_notice_platforms_lookup_host (HavenNoticePlatforms *self,
                                    const char           *host)
{
  g_autofree char *lower = NULL;
  size_t length;

  g_return_val_if_fail (HAVEN_IS_NOTICE_PLATFORMS (self), NULL);
  g_return_val_if_fail (host != NULL, NULL);

  lower = g_ascii_strdown (host, -1);
  length = strlen (lower);
  if (length > 0 && lower[length - 1] == '.')
    lower[length - 1] = '\0';

  /* The longest listed suffix that starts at a label: from the whole name
   * down, one label at a time, so m.facebook.com finds facebook.com and
   * notfacebook.com never does. */
  for (const char *suffix = lower; suffix != NULL && suffix[0] != '\0'; )
    {
      const char *id = g_hash_table_lookup (self->hosts, suffix);
      const char *dot;

      if (id != NULL)
        return id;
      dot = strchr (suffix, '.');
      suffix = dot != NULL ? dot + 1 : NULL;
    }
  return NULL;
}

const char *
haven_notice_platforms_lookup_url (HavenNoticePlatforms *self,
                                   const char           *url)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *absolute = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *host;

  g_return_val_if_fail (HAVEN_IS_NOTICE_PLATFORMS (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  trimmed = g_strstrip (g_strdup (url));
  /* Visitors often write an address without its scheme; the host is then
   * everything up to the first "/", ":" or "?". */
  if (g_uri_peek_scheme (trimmed) == NULL || strstr (trimmed, "://") == NULL)
    absolute = g_strconcat ("https://", trimmed, NULL);
  else
    absolute = g_steal_pointer (&trimmed);

  uri = g_uri_parse (absolute, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;
  host = g_uri_get_host (uri);
  if (host == NULL || host[0] == '\0')
    return NULL;
  return haven_notice_platforms_lookup_host (self, host);
}

const char *
haven_notice_platforms_find_hotline (HavenNoticePlatforms *self,
                                     const char           *country)
{
  const char *everywhere = NULL;

  g_return_val_if_fail (HAVEN_IS_NOTICE_PLATFORMS (self), NULL);

  for (guint i = 0; i + 1 < self->hotline_ids->len; i++)
    {
      const char *id = g_ptr_array_index (self->hotline_ids, i);
      const Entry *entry = g_hash_table_lookup (self->entries, id);

      for (guint j = 0; entry->countries[j] != NULL; j++)
        {
          if (g_str_equal (entry->countries[j], "*"))
            {
              if (everywhere == NULL)
                everywhere = id;
            }
          else if (country != NULL && g_ascii_strcasecmp (entry->countries[j], country) == 0)
            {
              return id;
            }
        }
    }
  return everywhere;
}

static const Entry *
find_entry (HavenNoticePlatforms *self,
            const char           *id)
{
  return id != NULL ? g_hash_table_lookup (self->entries, id) : NULL;
}

#define ENTRY_GETTER(name, member, type) \
  type \
  haven_notice_platforms_get_##name (HavenNoticePlatforms *self, \
                                     const char           *id) \
  { \
    const Entry *entry; \
  \
    g_return_val_if_fail (HAVEN_IS_NOTICE_PLATFORMS (self), NULL); \
  \
    entry = find_entry (self, id); \
    return entry != NULL ? (type) entry->member : NULL; \
  }

ENTRY_GETTER (name, name, const char *)
ENTRY_GETTER (entity, entity, const char *)
ENTRY_GETTER (web_form, web_form, const char *)
ENTRY_GETTER (email, email, const char *)
ENTRY_GETTER (guidance, guidance, const char *)
ENTRY_GETTER (hosts, hosts, const char * const *)
ENTRY_GETTER (countries, countries, const char * const *)

gboolean
haven_notice_platforms_is_hotline (HavenNoticePlatforms *self,
                                   const char           *id)
{
  const Entry *entry;

  g_return_val_if_fail (HAVEN_IS_NOTICE_PLATFORMS (self), FALSE);

  entry = find_entry (self, id);
  return entry != NULL && entry->hotline;
}
