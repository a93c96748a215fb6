import { Kind, type ValidationContext, type ValidationRule } from 'graphql';
import { tooManyListItems } from '../errors';
import { LOGINS_PAGE, MAX_LIST_ITEMS_PER_OPERATION } from '../limits';

/** The largest `first` any list accepts: what a `first` given by a variable may be. */
const LARGEST_PAGE = LOGINS_PAGE.max;

/**
 * The cost armor cannot count: the size of lists. Every field with a `first` argument costs its
 * `first` (its default when absent; a variable counts as LARGEST_PAGE, since validation runs before
 * variables are known), summed over the whole document, aliases included, so five aliased
 * `myLogins(first: 500)` cannot make one small request return hundreds of megabytes.
 */
export function listCostRule(limit: number = MAX_LIST_ITEMS_PER_OPERATION): ValidationRule {
  return (context: ValidationContext) => {
    let requested = 0;
    return {
      Field(node) {
        const argument = context.getFieldDef()?.args.find((arg) => arg.name === 'first');
        if (!argument) return;
        const value = node.arguments?.find((given) => given.name.value === 'first')?.value;
        if (value === undefined) requested += typeof argument.defaultValue === 'number' ? argument.defaultValue : LARGEST_PAGE;
        else if (value.kind === Kind.INT) requested += Number(value.value);
        else requested += LARGEST_PAGE;
      },
      Document: {
        leave() {
          if (requested > limit) context.reportError(tooManyListItems(requested, limit));
        },
      },
    };
  };
}
