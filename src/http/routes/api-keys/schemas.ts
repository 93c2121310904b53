import { Type } from 'typebox';
import { PERMISSIONS } from '../../../domain/permissions.ts';
import { DateTime, EXTENSION, Nullable, StringEnum, Uuid } from '../../schemas/common.ts';

export const PermissionSchema = StringEnum(PERMISSIONS);

const Permissions = (description: string) => Type.Optional(Nullable(Type.Array(PermissionSchema), { title: 'Permissions', description }));

export const ApiKeyRequest = Type.Object({
  name: Type.String({ title: 'API Key Name', description: 'The name of the API key' }),
  expiry_date: Type.Optional(Nullable(DateTime(), {
    title: 'Expiry Date',
    description: 'The date and time when the API key will expire. If not provided, the API key will not expire.',
  })),
  restricted: Type.Boolean({ title: 'Restricted', description: 'Whether the API key is restricted to a set of specific permissions' }),
  permissions: Permissions('A list of permissions associated with the API key. Do not include this field if the key is unrestricted.'),
});

export const ApiKeyUpdateRequest = Type.Object({
  name: Type.Optional(Type.String({ title: 'API Key Name', description: 'Nuevo nombre de la API key' })),
  restricted: Type.Optional(Type.Boolean({ title: 'Restricted', description: 'Indica si la API key es restringida o no.' })),
  permissions: Permissions('Lista completa de permisos para reemplazar (solo keys restringidas).'),
});

const redactedProperties = {
  id: Uuid({ title: 'API Key ID', description: 'The unique identifier for the API key' }),
  name: Type.String({ title: 'API Key Name', description: 'The name of the API key' }),
  created_date: DateTime({ title: 'Created Date', description: 'The date and time when the API key was created' }),
  last_four_digits: Type.String({ title: 'Last Four Digits', description: 'The last four digits of the API key' }),
  creator_id: Uuid({ title: 'Creator ID', description: 'The ID of the user who created the API key' }),
  permissions: Permissions('The permissions associated with the API key'),
  restricted: Type.Boolean({ title: 'Restricted', description: 'Whether the API key is restricted to a set of specific permissions' }),
  // The contract accepts an expiry on create but never shows it back; operators need to see it.
  expiry_date: Type.Optional(Nullable(DateTime(), {
    ...EXTENSION,
    title: 'Expiry Date',
    description: 'When the key stops authenticating; null when it never expires.',
  })),
};

/** Returned by get, list and update: the key's value is never readable again. */
export const RedactedApiKeyResponse = Type.Object(redactedProperties, { title: 'RedactedApiKeyResponseSchema' });

/** Returned by create only: the one time the key's value is shown. */
export const ApiKeyResponse = Type.Object(
  {
    ...redactedProperties,
    value: Type.Optional(Nullable(Type.String(), {
      title: 'API Key Value',
      description: 'The value of the API key. This will only be returned at the time of creation. Note that this field is not present in the response for other operations.',
    })),
  },
  { title: 'ApiKeyResponse' },
);

export const ApiKeyIdParams = Type.Object({
  id: Uuid({ title: 'API Key ID', description: 'The ID of the API key' }),
});
