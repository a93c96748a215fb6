import { Field, InputType } from 'type-graphql';
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARACTERS } from '../limits';

const PASSWORD_RULES = `At least ${MIN_PASSWORD_CHARACTERS} characters and at most ${MAX_PASSWORD_BYTES} bytes in UTF-8.`;

@InputType()
export class RegisterInput {
  @Field()
  email!: string;

  @Field({ description: PASSWORD_RULES })
  password!: string;
}

@InputType()
export class ChangePasswordInput {
  @Field({ description: 'The password now; a wrong one counts against the failed-login limits, like login.' })
  currentPassword!: string;

  @Field({ description: PASSWORD_RULES })
  newPassword!: string;

  @Field({ defaultValue: true, description: 'Revoke every other active login of yours (PASSWORD_CHANGED); this one stays.' })
  logoutOtherDevices!: boolean;
}

@InputType()
export class LoginInput {
  @Field()
  email!: string;

  @Field()
  password!: string;
}
