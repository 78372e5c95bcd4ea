using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TicketBooking.Core;

/// <summary>
/// Options bound from one configuration section and checked before the app touches anything: each broken rule is
/// reported by its configuration key (<c>Holds:Duration: The field Duration must be between …</c>), so whoever set it
/// knows what to change. Each feature binds its own options through this, once; the host runs the checks before it
/// migrates the database (TicketBooking.Web's <c>TicketBookingHost.ConfigurationIsValid</c>), the test engine before its own.
/// </summary>
public static class ValidatedOptions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="section"/> of the configuration in the container and validates its data
    /// annotations at start, by key.
    /// </summary>
    public static OptionsBuilder<T> BindValidated<T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new KeyedAnnotations<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    private sealed class KeyedAnnotations<T>(string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            return ValidateOptionsResult.Fail(results.Select(r =>
                r.MemberNames.Any() ? $"{string.Join(", ", r.MemberNames.Select(m => $"{section}:{m}"))}: {r.ErrorMessage}" : $"{section}: {r.ErrorMessage}"));
        }
    }
}
