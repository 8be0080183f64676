/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-bundle"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "haven-bundle-private.h"

/* A bundle's manifest (data/api/haven-bundle-v1.md, "Manifest"). It is
 * only ever parsed once the signature over it has been verified, but the
 * key that signed it may have signed a mistake: every member a kiosk
 * relies on is checked here, the paths above all, since they name files
 * the kiosk will write. Members this version does not know are left
 * alone, so that a later publisher may add some. */

struct _HavenBundleManifest
{
  GObject parent_instance;

  char *text;
  guint64 version;
  GDateTime *created;
  char *publisher;
  char *directory_source;
  GDateTime *directory_synced_at;
  guint n_services;
  char *content_version;
  GArray *files;
  guint64 total_size;
};

G_DEFINE_FINAL_TYPE (HavenBundleManifest, haven_bundle_manifest, G_TYPE_OBJECT)

static void
clear_file (gpointer data)
{
  HavenBundleFile *file = data;

  g_free (file->path);
}

static void
haven_bundle_manifest_finalize (GObject *object)
{
  HavenBundleManifest *self = HAVEN_BUNDLE_MANIFEST (object);

  g_free (self->text);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_free (self->publisher);
  g_free (self->directory_source);
  g_clear_pointer (&self->directory_synced_at, g_date_time_unref);
  g_free (self->content_version);
  g_clear_pointer (&self->files, g_array_unref);

  G_OBJECT_CLASS (haven_bundle_manifest_parent_class)->finalize (object);
}

static void
haven_bundle_manifest_class_init (HavenBundleManifestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_bundle_manifest_finalize;
}

static void
haven_bundle_manifest_init (HavenBundleManifest *self)
{
  self->files = g_array_new (FALSE, TRUE, sizeof (HavenBundleFile));
  g_array_set_clear_func (self->files, clear_file);
}

static gboolean
invalid (GError    **error,
         const char *member)
{
  /* Translators: %s is the name of a member of the bundle's manifest, such as "version". */
  g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_FORMAT,
               _("its manifest has no valid “%s”"), member);
  return FALSE;
}

static gboolean
is_value_of_type (JsonNode *node,
                  GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* A string of at most HAVEN_BUNDLE_MAX_TEXT_BYTES, or NULL when the
 * member is missing or no such string. */
static const char *
get_text (JsonObject *object,
          const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;

  if (!is_value_of_type (node, G_TYPE_STRING))
    return NULL;

  text = json_node_get_string (node);
  if (strlen (text) > HAVEN_BUNDLE_MAX_TEXT_BYTES || !g_utf8_validate (text, -1, NULL))
    return NULL;

  return text;
}

/* A whole number from 0 to @max; FALSE for anything else. */
static gboolean
get_number (JsonObject *object,
            const char *member,
            gint64      max,
            gint64     *value)
{
  JsonNode *node = json_object_get_member (object, member);

  if (!is_value_of_type (node, G_TYPE_INT64))
    return FALSE;

  *value = json_node_get_int (node);
  return *value >= 0 && *value <= max;
}

static GDateTime *
get_time (JsonObject *object,
          const char *member)
{
  const char *text = get_text (object, member);

  return text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

static JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Whether @path may name a file of an unpacked bundle: relative, in plain
 * components (no "..", ".", empty or hidden tricks such as a backslash or
 * a control character), not too deep, and either the directory or under
 * the content folder. */
static gboolean
is_safe_path (const char *path)
{
  g_auto(GStrv) components = NULL;
  guint depth;

  if (path[0] == '\0' || strlen (path) > HAVEN_BUNDLE_MAX_PATH_BYTES ||
      !g_utf8_validate (path, -1, NULL) || path[0] == '/' || strchr (path, '\\') != NULL)
    return FALSE;

  for (const char *p = path; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return FALSE;
    }

  components = g_strsplit (path, "/", -1);
  depth = g_strv_length (components);
  if (depth > HAVEN_BUNDLE_MAX_PATH_DEPTH)
    return FALSE;

  for (guint i = 0; i < depth; i++)
    {
      if (components[i][0] == '\0' || g_str_equal (components[i], ".") ||
          g_str_equal (components[i], ".."))
        return FALSE;
    }

  if (g_str_equal (path, HAVEN_BUNDLE_DIRECTORY_FILE))
    return TRUE;

  return depth >= 2 && g_str_equal (components[0], HAVEN_BUNDLE_CONTENT_DIR);
}

/* Refuses a path given twice, and a file whose path is a folder of
 * another's, which could not both be unpacked. */
static gboolean
add_path (GHashTable *files,
          GHashTable *folders,
          const char *path)
{
  const char *slash;

  if (g_hash_table_contains (files, path) || g_hash_table_contains (folders, path))
    return FALSE;
  g_hash_table_add (files, g_strdup (path));

  for (slash = strchr (path, '/'); slash != NULL; slash = strchr (slash + 1, '/'))
    {
      g_autofree char *folder = g_strndup (path, slash - path);

      if (g_hash_table_contains (files, folder))
        return FALSE;
      g_hash_table_add (folders, g_steal_pointer (&folder));
    }

  return TRUE;
}

static gboolean
parse_sha256 (const char *text,
              guint8      sha256[32])
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;

  for (guint i = 0; i < 32; i++)
    {
      int high = g_ascii_xdigit_value (text[2 * i]);
      int low = g_ascii_xdigit_value (text[2 * i + 1]);

      /* Lowercase only, so that one checksum has one spelling. */
      if (high < 0 || low < 0 || g_ascii_isupper (text[2 * i]) ||
          g_ascii_isupper (text[2 * i + 1]))
        return FALSE;
      sha256[i] = (guint8) (high << 4 | low);
    }

  return TRUE;
}

static gboolean
parse_files (HavenBundleManifest  *self,
             JsonArray            *array,
             GError              **error)
{
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint length = json_array_get_length (array);
  gboolean has_directory = FALSE;
  gboolean has_content = FALSE;

  if (length > HAVEN_BUNDLE_MAX_FILES)
    {
      g_autofree char *max = g_strdup_printf ("%u", HAVEN_BUNDLE_MAX_FILES);

      /* Translators: %s is a number. */
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_FORMAT,
                   _("its manifest lists more than %s files"), max);
      return FALSE;
    }

  for (guint i = 0; i < length; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      HavenBundleFile file = { NULL, };
      const char *path;
      gint64 size;

      if (object == NULL)
        return invalid (error, "files");

      path = get_text (object, "path");
      if (path == NULL || !is_safe_path (path))
        {
          /* The path is the publisher's mistake or an attack: shown so an
           * operator can tell which, escaped so it cannot hide in a log. */
          g_autofree char *shown = g_strescape (path != NULL ? path : "", NULL);

          /* Translators: %s is a file's path as the bundle gives it. */
          g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_FORMAT,
                       _("its manifest names a file “%s” outside the directory database and "
                         "the content folder"), shown);
          return FALSE;
        }
      if (!add_path (files, folders, path))
        {
          /* Translators: %s is a file's path in the bundle. */
          g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_FORMAT,
                       _("its manifest names “%s” twice, or as both a file and a folder"),
                       path);
          return FALSE;
        }
      if (!get_number (object, "size", (gint64) HAVEN_BUNDLE_MAX_TOTAL_BYTES, &size))
        return invalid (error, "size");
      if (!parse_sha256 (get_text (object, "sha256"), file.sha256))
        return invalid (error, "sha256");

      self->total_size += (guint64) size;
      if (self->total_size > HAVEN_BUNDLE_MAX_TOTAL_BYTES)
        {
          g_autofree char *max = g_format_size (HAVEN_BUNDLE_MAX_TOTAL_BYTES);

          /* Translators: %s is a size, such as "2.1 GB". */
          g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_FORMAT,
                       _("its files come to more than %s"), max);
          return FALSE;
        }

      if (g_str_equal (path, HAVEN_BUNDLE_DIRECTORY_FILE))
        has_directory = TRUE;
      else
        has_content = TRUE;

      file.path = g_strdup (path);
      file.size = (guint64) size;
      g_array_append_val (self->files, file);
    }

  if (!has_directory)
    return invalid (error, HAVEN_BUNDLE_DIRECTORY_FILE);
  /* Content files without a content version, or the reverse, are a
   * publisher's mistake that would unpack a content folder nobody
   * checked, or check one that is not there. */
  if (has_content != (self->content_version != NULL))
    return invalid (error, "content");

  return TRUE;
}

HavenBundleManifest *
haven_bundle_manifest_parse (const char  *text,
                             gsize        length,
                             GError     **error)
{
  g_autoptr(HavenBundleManifest) self = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonObject *directory;
  JsonObject *content;
  JsonNode *node;
  gint64 number;
  const char *value;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > HAVEN_BUNDLE_MAX_MANIFEST_BYTES || !g_utf8_validate (text, length, NULL) ||
      memchr (text, '\0', length) != NULL ||
      !json_parser_load_from_data (parser, text, length, &parse_error))
    {
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_FORMAT,
                   _("its manifest is not JSON"));
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid (error, "format");
      return NULL;
    }
  object = json_node_get_object (root);

  self = g_object_new (HAVEN_TYPE_BUNDLE_MANIFEST, NULL);
  self->text = g_strndup (text, length);

  if (!get_number (object, "format", G_MAXINT32, &number))
    {
      invalid (error, "format");
      return NULL;
    }
  if (number != HAVEN_BUNDLE_FORMAT)
    {
      g_autofree char *format = g_strdup_printf ("%" G_GINT64_FORMAT, number);

      /* Translators: %s is a number. */
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_FORMAT,
                   _("it is in format %s, which this version of Haven does not read"), format);
      return NULL;
    }

  /* 0 is the version in use when there is none. */
  if (!get_number (object, "version", G_MAXINT64, &number) || number == 0)
    {
      invalid (error, "version");
      return NULL;
    }
  self->version = (guint64) number;

  self->created = get_time (object, "created");
  if (self->created == NULL)
    {
      invalid (error, "created");
      return NULL;
    }

  value = get_text (object, "publisher");
  if (value == NULL)
    {
      invalid (error, "publisher");
      return NULL;
    }
  self->publisher = g_strdup (value);

  directory = get_object (object, "directory");
  if (directory == NULL ||
      g_strcmp0 (get_text (directory, "file"), HAVEN_BUNDLE_DIRECTORY_FILE) != 0)
    {
      invalid (error, "directory");
      return NULL;
    }
  value = get_text (directory, "source");
  if (value == NULL)
    {
      invalid (error, "source");
      return NULL;
    }
  self->directory_source = g_strdup (value);
  node = json_object_get_member (directory, "synced_at");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      self->directory_synced_at = get_time (directory, "synced_at");
      if (self->directory_synced_at == NULL)
        {
          invalid (error, "synced_at");
          return NULL;
        }
    }
  if (!get_number (directory, "services", G_MAXUINT, &number))
    {
      invalid (error, "services");
      return NULL;
    }
  self->n_services = (guint) number;

  content = get_object (object, "content");
  if (content == NULL)
    {
      invalid (error, "content");
      return NULL;
    }
  node = json_object_get_member (content, "version");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      value = get_text (content, "version");
      if (value == NULL || value[0] == '\0')
        {
          invalid (error, "content");
          return NULL;
        }
      self->content_version = g_strdup (value);
    }

  node = json_object_get_member (object, "files");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      invalid (error, "files");
      return NULL;
    }
  if (!parse_files (self, json_node_get_array (node), error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * haven_bundle_manifest_load:
 * @unpacked_dir: a folder haven_bundle_verify_and_unpack() made
 *
 * Its manifest was verified when it was unpacked; it is checked again all
 * the same, as any file on disk may have been changed since.
 */
HavenBundleManifest *
haven_bundle_manifest_load (const char  *unpacked_dir,
                            GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  HavenBundleManifest *self;
  gsize length = 0;

  g_return_val_if_fail (unpacked_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_build_filename (unpacked_dir, HAVEN_BUNDLE_MANIFEST_FILE, NULL);
  if (!g_file_get_contents (path, &text, &length, &local_error))
    {
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_IO,
                   _("The bundle’s manifest cannot be read: %s"), local_error->message);
      return NULL;
    }

  self = haven_bundle_manifest_parse (text, length, &local_error);
  if (self == NULL)
    {
      /* Translators: the first %s is a file, the second says what is wrong with it. */
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_FORMAT,
                   _("The bundle’s manifest %s cannot be used: %s"), path, local_error->message);
      return NULL;
    }

  return self;
}

guint64
haven_bundle_manifest_get_version (HavenBundleManifest *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), 0);

  return self->version;
}

/* Returns: (transfer none): */
GDateTime *
haven_bundle_manifest_get_created (HavenBundleManifest *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), NULL);

  return self->created;
}

const char *
haven_bundle_manifest_get_publisher (HavenBundleManifest *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), NULL);

  return self->publisher;
}

/* Returns: where the directory was imported from, as the importer
 * recorded it. */
const char *
haven_bundle_manifest_get_directory_source (HavenBundleManifest *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), NULL);

  return self->directory_source;
}

/* Returns: (transfer none) (nullable): when the directory was last
 * imported or synced. */
GDateTime *
haven_bundle_manifest_get_directory_synced_at (HavenBundleManifest *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), NULL);

  return self->directory_synced_at;
}

guint
haven_bundle_manifest_get_n_services (HavenBundleManifest *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), 0);

  return self->n_services;
}

/* Returns: (nullable): haven_content_get_version() of the bundle's
 * content; %NULL when the bundle has none. */
const char *
haven_bundle_manifest_get_content_version (HavenBundleManifest *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), NULL);

  return self->content_version;
}

guint
haven_bundle_manifest_get_n_files (HavenBundleManifest *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), 0);

  return self->files->len;
}

/* Returns: the size of the files, unpacked. */
guint64
haven_bundle_manifest_get_total_size (HavenBundleManifest *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), 0);

  return self->total_size;
}

const char *
haven_bundle_manifest_get_text (HavenBundleManifest *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), NULL);

  return self->text;
}

const HavenBundleFile *
haven_bundle_manifest_get_files (HavenBundleManifest *self,
                                 guint               *n_files)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_MANIFEST (self), NULL);

  if (n_files != NULL)
    *n_files = self->files->len;
  return (const HavenBundleFile *) (gpointer) self->files->data;
}
