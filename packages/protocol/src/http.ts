import { z } from 'zod';
import { DeviceId, Email, Nickname, Password, Phone, Platform, Username } from './common.js';
import { shortText } from './validate.js';

/** Bodies of the gateway's HTTP API (contract section 1). */

export const RegisterBody = z.object({
  username: Username,
  password: Password,
  nickname: Nickname.optional(),
  phone: Phone.optional(),
  email: Email.optional(),
});

export const LoginBody = z
  .object({
    username: shortText(1, 64).optional(),
    phone: shortText(1, 32).optional(),
    email: shortText(1, 254).optional(),
    password: shortText(1, 128),
    device_id: DeviceId.optional(),
    platform: Platform.optional(),
  })
  .refine((b) => [b.username, b.phone, b.email].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of username, phone or email',
    path: ['username'],
  });

export const RefreshBody = z.object({ refresh_token: shortText(1, 512) });

export type RegisterInput = z.output<typeof RegisterBody>;
export type LoginInput = z.output<typeof LoginBody>;

export const AuthCodeBody = z.object({ email: Email });

export const CodeLoginBody = z.object({
  email: Email,
  code: z.string().regex(/^\d{6}$/, 'must be 6 digits'),
  device_id: DeviceId.optional(),
  platform: Platform.optional(),
});
