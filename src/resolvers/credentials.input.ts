import { Field, InputType } from 'type-graphql';
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARACTERS } from '../limits';

@InputType()
export class RegisterInput {
  @Field()
  email!: string;

  @Field({ description: `At least ${MIN_PASSWORD_CHARACTERS} characters and at most ${MAX_PASSWORD_BYTES} bytes in UTF-8.` })
  password!: string;
}

@InputType()
export class LoginInput {
  @Field()
  email!: string;

  @Field()
  password!: string;
}
