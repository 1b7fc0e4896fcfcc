using System.Globalization;

namespace Plexus.Api;

/// <summary>Docker's way of saying how long ago or for how long: "Less than a second", "About a minute", "3 hours".</summary>
public static class HumanDuration
{
    public static string Of(TimeSpan d)
    {
        static string N(double value, string unit)
        {
            long n = (long)value;
            return string.Create(CultureInfo.InvariantCulture, $"{n} {unit}{(n == 1 ? "" : "s")}");
        }
        if (d < TimeSpan.FromSeconds(1)) return "Less than a second";
        if (d < TimeSpan.FromMinutes(1)) return N(d.TotalSeconds, "second");
        if (d < TimeSpan.FromMinutes(2)) return "About a minute";
        if (d < TimeSpan.FromHours(1)) return N(d.TotalMinutes, "minute");
        if (d < TimeSpan.FromHours(2)) return "About an hour";
        if (d < TimeSpan.FromDays(2)) return N(d.TotalHours, "hour");
        if (d < TimeSpan.FromDays(14)) return N(d.TotalDays, "day");
        if (d < TimeSpan.FromDays(60)) return N(d.TotalDays / 7, "week");
        if (d < TimeSpan.FromDays(730)) return N(d.TotalDays / 30, "month");
        return N(d.TotalDays / 365, "year");
    }
}
